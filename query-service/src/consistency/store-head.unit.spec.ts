import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StoreHead } from './store-head.js';

/** A head reader whose reads the test finishes by hand, in order. */
function manualReads() {
  const pending: Array<(head: bigint) => void> = [];
  return {
    pending,
    read: () => new Promise<bigint>((resolve) => pending.push(resolve)),
  };
}

describe('StoreHead', () => {
  it('shares one read among callers and starts the next only after it', async () => {
    const reads = manualReads();
    const head = new StoreHead(reads.read);
    const first = head.fresh();
    // Asked while a read is in flight: that read may predate the caller's command.
    const second = head.fresh();
    const third = head.fresh();
    assert.equal(reads.pending.length, 1);
    reads.pending[0]?.(10n);
    assert.equal(await first, 10n);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reads.pending.length, 2, 'a second read started after the first');
    reads.pending[1]?.(12n);
    assert.equal(await second, 12n);
    assert.equal(await third, 12n);
    assert.equal(head.lastSeen, 12n);
  });

  it('keeps the highest head seen and survives a failed read', async () => {
    let calls = 0;
    const head = new StoreHead(() => {
      calls += 1;
      if (calls === 2) return Promise.reject(new Error('database down'));
      return Promise.resolve(calls === 1 ? 7n : 5n);
    });
    assert.equal(await head.fresh(), 7n);
    await assert.rejects(head.fresh(), /database down/);
    assert.equal(await head.fresh(), 5n);
    assert.equal(head.lastSeen, 7n);
  });
});
