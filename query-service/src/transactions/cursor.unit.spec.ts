import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError } from '@bank/platform';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('transaction cursor', () => {
  it('round-trips revisions up to int64', () => {
    for (const revision of [0n, 1n, 4_294_967_296n, 2n ** 63n - 1n]) {
      const cursor = encodeCursor(revision);
      assert.match(cursor, /^[A-Za-z0-9_-]+$/);
      assert.equal(decodeCursor(cursor), revision);
    }
  });

  it('rejects anything it did not issue', () => {
    const good = encodeCursor(42n);
    const bad = [
      '',
      'x',
      good + 'A',
      good.slice(0, -1),
      Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 1]).toString('base64url'), // unknown version
      Buffer.from([1, 0x80, 0, 0, 0, 0, 0, 0, 0]).toString('base64url'), // beyond int64
      good.replace(/^./, '+'),
      'A'.repeat(100),
    ];
    for (const cursor of bad) {
      assert.throws(
        () => decodeCursor(cursor),
        (error: unknown) => error instanceof AppError && error.category === 'validation',
        cursor,
      );
    }
  });
});
