import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CheckpointWriter } from '../relay/checkpoint-writer.js';
import { OffsetCommitter, type PartitionOffset } from './offset-committer.js';

/**
 * Calls as they happen, with the time of each, so a test waits for the n-th call instead of
 * sleeping for a time that a loaded machine may not keep.
 */
class Calls<T> {
  readonly values: T[] = [];
  readonly times: number[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  record(value: T): void {
    this.values.push(value);
    this.times.push(Date.now());
    for (const waiter of this.waiters.filter((w) => this.values.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Resolves once `count` calls have been made. */
  until(count: number): Promise<void> {
    if (this.values.length >= count) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.waiters.push({ count, resolve });
    return promise;
  }
}

/** One turn of the event loop: whatever a call started at once has run by then. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('OffsetCommitter', () => {
  it('commits the highest offset per partition at most once per interval, the rest by timer', async () => {
    const inBatch: PartitionOffset[][] = [];
    const background = new Calls<PartitionOffset[]>();
    const committer = new OffsetCommitter(
      40,
      (offsets) => Promise.resolve(background.record([...offsets])),
      (error) => assert.fail(String(error)),
    );
    const commit = (offsets: readonly PartitionOffset[]) =>
      Promise.resolve(void inBatch.push([...offsets]));
    committer.applied('t', 0, 5n);
    await committer.maybeCommit(commit); // first commit: due at once
    committer.applied('t', 0, 9n);
    committer.applied('t', 1, 3n);
    committer.applied('t', 0, 7n); // lower than 9: ignored
    await committer.maybeCommit(commit); // within the interval: left to the timer
    assert.deepEqual(inBatch, [[{ topic: 't', partition: 0, offset: 5n }]]);
    assert.deepEqual(background.values, []);
    await background.until(1);
    assert.deepEqual(background.values, [
      [
        { topic: 't', partition: 0, offset: 9n },
        { topic: 't', partition: 1, offset: 3n },
      ],
    ]);
    committer.applied('t', 2, 1n);
    await committer.maybeCommit(commit, true); // forced (the consumer is stopping)
    assert.deepEqual(inBatch.at(-1), [{ topic: 't', partition: 2, offset: 1n }]);
    committer.stop();
  });

  it('keeps offsets whose commit failed, and forgets partitions no longer assigned', async () => {
    let fail = true;
    const committed: PartitionOffset[][] = [];
    const committer = new OffsetCommitter(
      0,
      (offsets) =>
        fail
          ? Promise.reject(new Error('rebalancing'))
          : Promise.resolve(void committed.push([...offsets])),
      () => undefined,
    );
    committer.applied('t', 0, 4n);
    committer.applied('t', 1, 6n);
    await assert.rejects(committer.flush(), /rebalancing/);
    fail = false;
    committer.retain((_topic, partition) => partition === 1);
    await committer.flush();
    assert.deepEqual(committed, [[{ topic: 't', partition: 1, offset: 6n }]]);
  });
});

describe('OffsetCommitter while a background commit hangs', () => {
  it('lets the batch go on instead of waiting for it', async () => {
    const { promise: hanging, resolve: release } = Promise.withResolvers<void>();
    const committer = new OffsetCommitter(
      0,
      () => hanging,
      () => undefined,
    );
    committer.applied('t', 0, 1n);
    const background = committer.flush(); // e.g. retrying through a rebalance
    committer.applied('t', 0, 2n);
    let inBatch = 0;
    await committer.maybeCommit(() => Promise.resolve(void (inBatch += 1)));
    assert.equal(inBatch, 0, 'not committed in the batch, and not blocked either');
    release();
    await background;
    committer.stop();
  });
});

describe('CheckpointWriter', () => {
  it('writes at once, then at most once per interval, always the latest position', async () => {
    const interval = 40;
    const writes = new Calls<bigint>();
    const writer = new CheckpointWriter(
      (position) => Promise.resolve(writes.record(position)),
      interval,
      (error) => assert.fail(String(error)),
    );
    writer.advance(10n);
    await writes.until(1);
    writer.advance(20n);
    writer.advance(30n);
    await nextTurn();
    assert.deepEqual(writes.values, [10n]);
    await writes.until(2);
    assert.deepEqual(writes.values, [10n, 30n]);
    const [first = 0, second = 0] = writes.times;
    assert.ok(second - first >= interval - 1, `written again after ${second - first} ms`);
    writer.advance(40n);
    await writer.flush();
    assert.deepEqual(writes.values, [10n, 30n, 40n]);
  });

  it('keeps a position whose write failed for the next flush', async () => {
    let fail = true;
    const attempts = new Calls<bigint>();
    const writes: bigint[] = [];
    const writer = new CheckpointWriter(
      (position) => {
        attempts.record(position);
        return fail
          ? Promise.reject(new Error('db down'))
          : Promise.resolve(void writes.push(position));
      },
      1000,
      () => undefined,
    );
    writer.advance(7n);
    await attempts.until(1);
    fail = false;
    await writer.flush();
    assert.deepEqual(writes, [7n]);
  });
});
