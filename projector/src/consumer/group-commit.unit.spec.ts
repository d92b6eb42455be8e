import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GroupCommit } from './group-commit.js';
import { watermarkRows } from './watermarks.js';

describe('GroupCommit', () => {
  it('flushes what arrives in one turn together, and what arrives during a flush next', async () => {
    const flushes: number[][] = [];
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const group = new GroupCommit<number>(async (items) => {
      flushes.push([...items]);
      if (flushes.length === 1) await gate;
    });
    const first = [group.submit(1), group.submit(2), group.submit(3)];
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(flushes, [[1, 2, 3]]);
    const second = [group.submit(4), group.submit(5)];
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(flushes.length, 1, 'no second flush while the first is in flight');
    release();
    await Promise.all([...first, ...second]);
    assert.deepEqual(flushes, [
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('rejects every submitter of a failed flush, and goes on with the next', async () => {
    let fail = true;
    const group = new GroupCommit<string>(() =>
      fail ? Promise.reject(new Error('boom')) : Promise.resolve(),
    );
    const results = await Promise.allSettled([group.submit('a'), group.submit('b')]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    await group.submit('c');
  });
});

describe('watermarkRows', () => {
  it('takes each partition’s highest watermark, sorted, and partitions with events only when asked', () => {
    const chunks = [
      { partition: 2, watermark: 7n, items: [] },
      { partition: 0, watermark: undefined, items: [1] },
      { partition: 1, watermark: undefined, items: [] },
      { partition: 2, watermark: 9n, items: [1] },
    ];
    assert.deepEqual(watermarkRows(chunks, false), [{ partition: 2, position: 9n }]);
    assert.deepEqual(watermarkRows(chunks, true), [
      { partition: 0, position: undefined },
      { partition: 2, position: 9n },
    ]);
    assert.deepEqual(
      watermarkRows(
        [
          { partition: 3, watermark: 9n, items: [] },
          { partition: 3, watermark: undefined, items: [1] },
        ],
        true,
      ),
      [{ partition: 3, position: 9n }],
    );
  });
});
