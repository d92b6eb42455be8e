import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import { SqlThread } from './sql-thread.js';

describe('SqlThread', () => {
  let schema: TestSchema;

  before(async () => {
    schema = await createTestSchema('ops_sql_thread');
    await schema.pool.query('CREATE TABLE items (id int PRIMARY KEY, note text)');
  });
  after(async () => {
    await schema?.drop();
  });

  it('runs queries and COPYs in one transaction, and rolls back a failed one', async () => {
    const thread = await SqlThread.start(schema.url);
    try {
      await thread.run(
        [
          { copy: 'COPY items (id, note) FROM STDIN', chunks: ['1\ta\n', '2\tb\n'] },
          { query: 'INSERT INTO items VALUES ($1, $2)', params: [3, 'c'] },
        ],
        true,
      );
      const [rows] = await thread.run([{ query: 'SELECT count(*)::int AS n FROM items' }]);
      assert.deepEqual(rows, [{ n: 3 }]);
      await assert.rejects(
        thread.run(
          [
            { query: 'INSERT INTO items VALUES (4, $1)', params: ['d'] },
            { query: 'INSERT INTO items VALUES (1, NULL)' },
          ],
          true,
        ),
        (error: Error & { code?: string }) => error.code === '23505',
      );
      const [left] = await thread.run([{ query: 'SELECT count(*)::int AS n FROM items' }]);
      assert.deepEqual(left, [{ n: 3 }], 'the failed transaction left nothing');
    } finally {
      await thread.close();
    }
  });

  it('feeds a COPY with encoded chunks, its buffers reused once they come back', async () => {
    const thread = await SqlThread.start(schema.url);
    try {
      for (const [id, note] of [
        [20, 'é\\t'],
        [21, 'plain'],
      ] as const) {
        const chunks = [thread.encode(`${id}\t`), thread.encode(`${note}\n`)];
        await thread.run([{ copy: 'COPY items (id, note) FROM STDIN', chunks }], true);
        assert.equal(chunks[0]?.byteLength, 0, 'the buffer went to the thread');
      }
      const [rows] = await thread.run([
        { query: 'SELECT id, note FROM items WHERE id >= 20 ORDER BY id' },
      ]);
      assert.deepEqual(rows, [
        { id: 20, note: 'é\t' },
        { id: 21, note: 'plain' },
      ]);
    } finally {
      await thread.close();
    }
  });

  it('refuses, unrun, every transaction queued after one that failed', async () => {
    const thread = await SqlThread.start(schema.url);
    try {
      const failing = thread.run([{ query: 'INSERT INTO items VALUES (1, NULL)' }], true);
      const next = thread.run(
        [{ query: 'INSERT INTO items VALUES (10, $1)', params: ['x'] }],
        true,
      );
      await assert.rejects(failing, /duplicate key/);
      await assert.rejects(next, /not run after: duplicate key/);
      const [rows] = await thread.run([
        { query: 'SELECT count(*)::int AS n FROM items WHERE id = 10' },
      ]);
      assert.deepEqual(rows, [{ n: 0 }]);
    } finally {
      await thread.close();
    }
  });
});
