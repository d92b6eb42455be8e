import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import { createKnex } from '@bank/platform';
import type { Knex } from 'knex';
import { migrateReadModels } from '../migrations.js';
import { lockStatements } from '../tables/stream-checkpoints.js';
import { BankWorkload, MemoryEventLog } from '../testing/index.js';
import { applyEvents } from './apply-events.js';
import { loadStatements } from './load.js';
import { toProjectionEvent } from './projection-event.js';
import { renderStatements } from './sql-json.js';

/** Each view table, with the expression that gives a copied row a key of its own. */
const COPIES: ReadonlyArray<readonly [table: string, newKey: string]> = [
  ['accounts', `jsonb_build_object('account_id', gen_random_uuid())`],
  ['transfers', `jsonb_build_object('transfer_id', gen_random_uuid())`],
  ['holds', `jsonb_build_object('account_id', gen_random_uuid(), 'hold_id', gen_random_uuid())`],
  ['daily_balances', `jsonb_build_object('account_id', gen_random_uuid())`],
  ['stream_checkpoints', `jsonb_build_object('stream_id', 'copy-' || gen_random_uuid())`],
];

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

function scannedWhole(node: PlanNode): string[] {
  const own =
    node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(scannedWhole)];
}

describe("the projector's loads of view rows", () => {
  let schema: TestSchema;
  let knex: Knex;

  before(async () => {
    schema = await createTestSchema('load_plans');
    knex = createKnex({ databaseUrl: schema.url, poolSize: 2 });
    await migrateReadModels(knex);
  });
  after(async () => {
    await knex?.destroy();
    await schema?.drop();
  });

  it('probe keys, never scan a whole table, against tables of a few thousand rows', async () => {
    const events = new MemoryEventLog().run(new BankWorkload(11, 6), 400).map(toProjectionEvent);
    await knex.transaction((trx) => applyEvents(trx, events));
    // Enough rows that a scan of the table costs what it would on a live store, analyzed.
    for (const [table, newKey] of COPIES) {
      const copied = await schema.pool.query(
        `INSERT INTO ${table}
         SELECT (jsonb_populate_record(NULL::${table}, to_jsonb(t) || ${newKey})).*
           FROM (SELECT * FROM ${table} LIMIT 1) t, generate_series(1, 5000)`,
      );
      assert.equal(copied.rowCount, 5000, `no ${table} row to copy`);
      await schema.pool.query(`ANALYZE ${table}`);
    }
    const batch = events.slice(-40);
    const statements = [
      ...lockStatements(batch.map((event) => event.streamId)),
      ...loadStatements(batch),
    ];
    for (const statement of statements) {
      const { rows } = await schema.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) ${renderStatements([statement])}`,
      );
      const plan = rows[0]?.['QUERY PLAN'][0].Plan;
      assert.ok(plan, 'no plan');
      assert.deepEqual(scannedWhole(plan), [], statement.sql);
    }
  });
});
