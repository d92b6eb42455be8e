import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { KeyedMutex } from './keyed-mutex.js';

describe('KeyedMutex', () => {
  it('runs work for one key one at a time, in order, and other keys alongside', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (key: string, name: string, ms: number) =>
      mutex.run(key, async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        log.push(`end ${name}`);
      });
    await Promise.all([task('a', 'a1', 20), task('a', 'a2', 1), task('b', 'b1', 5)]);
    assert.deepEqual(log, ['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
  });

  it('releases the key when the work throws', async () => {
    const mutex = new KeyedMutex();
    await assert.rejects(mutex.run('a', () => Promise.reject(new Error('boom'))));
    assert.equal(await mutex.run('a', () => Promise.resolve(42)), 42);
  });
});
