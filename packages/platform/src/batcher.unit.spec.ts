import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { BatchQueue, Batcher } from './batcher.js';

describe('Batcher', () => {
  it('sends a lone request at once and batches what arrives while slots are busy', async () => {
    const calls: number[][] = [];
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const batcher = new Batcher<number, number>(
      async (items) => {
        calls.push([...items]);
        if (calls.length === 1) await gate;
        return items.map((n) => n * 10);
      },
      { maxInFlight: 1, maxBatch: 3 },
    );
    const first = batcher.submit(1);
    const rest = [2, 3, 4, 5].map((n) => batcher.submit(n));
    assert.deepEqual(calls, [[1]]);
    release();
    assert.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40, 50]);
    assert.deepEqual(calls, [[1], [2, 3, 4], [5]]);
  });

  it('fails every request of a failed batch, and goes on with the next', async () => {
    let n = 0;
    const batcher = new Batcher<string, string>(
      (items) => {
        n += 1;
        if (n === 1) return Promise.reject(new Error('down'));
        return Promise.resolve(items.map((s) => s.toUpperCase()));
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const failed = batcher.submit('a');
    const next = batcher.submit('b');
    await assert.rejects(failed, /down/);
    assert.equal(await next, 'B');
  });

  it('refuses an answer of the wrong length for the whole batch', async () => {
    const batcher = new Batcher<number, number>(() => Promise.resolve([1]), {
      maxInFlight: 2,
      maxBatch: 10,
    });
    const one = batcher.submit(1);
    const two = batcher.submit(2);
    // Two slots: each goes alone and gets one answer.
    assert.deepEqual(await Promise.all([one, two]), [1, 1]);
    const short = new Batcher<number, number>(() => Promise.resolve([]), {
      maxInFlight: 1,
      maxBatch: 10,
    });
    await assert.rejects(short.submit(1), /answered 0 results/);
  });

  it('lets a flush answer each request itself, and fails only the unanswered ones on a throw', async () => {
    const queue = new BatchQueue<number, number>(
      async (batch) => {
        await Promise.resolve(); // the round trip
        for (const pending of batch) {
          if (pending.item === 3) throw new Error('stopped at 3');
          if (pending.item % 2 === 0) pending.reject(new Error(`odd only: ${pending.item}`));
          else pending.resolve(pending.item);
        }
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const first = queue.submit(9); // alone: the batch below queues behind it
    const [one, two, three, four] = [1, 2, 3, 4].map((n) => queue.submit(n));
    assert.equal(await first, 9);
    assert.equal(await one, 1);
    await assert.rejects(two!, /odd only: 2/);
    await assert.rejects(three!, /stopped at 3/);
    await assert.rejects(four!, /stopped at 3/);
  });
});
