import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createTestSchema } from '@bank/testkit';
import { measureFloor } from './floor.js';

// The floor row on the real PostgreSQL, small: every request answered 201 inserted its own row.
describe('floor ceiling', () => {
  it('answers each request after its row is committed, with group commit', async () => {
    const schema = await createTestSchema('floor');
    try {
      const result = await measureFloor({
        databaseUrl: schema.url,
        connections: 8,
        durationSeconds: 2,
        maxRequests: 1_000_000,
      });
      const answered = result.outcomes.total;
      assert.ok(answered > 0, 'no request was answered');
      assert.equal(result.outcomes.errors + result.outcomes.rejections, 0);
      const { rows } = await schema.pool.query<{ rows: string; transactions: string }>(
        `SELECT count(*)::text AS rows, count(DISTINCT xmin::text)::text AS transactions FROM floor_inserts`,
      );
      // Requests still in flight when the load stopped were inserted but never answered.
      const inserted = Number(rows[0]?.rows);
      assert.ok(inserted >= answered && inserted <= answered + 8, `${inserted} rows`);
      // 8 connections in flight: inserts share transactions.
      assert.ok(Number(rows[0]?.transactions) < answered, `${rows[0]?.transactions} transactions`);
    } finally {
      await schema.drop();
    }
  });
});
