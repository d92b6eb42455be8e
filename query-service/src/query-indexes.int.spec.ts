import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { createKnex } from '@bank/platform';
import { migrateReadModels } from '@bank/read-models';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import { accountByIdQuery, accountsByOwnerQuery } from './accounts/account-queries.js';
import { checkpointsQuery, consistentPositionQuery } from './consistency/projection-queries.js';
import { holdByIdQuery, holdsPageQuery } from './holds/hold-queries.js';
import { parseStatementPeriod } from './statements/statement-period.js';
import { openingEntryQuery, statementEntriesQuery } from './statements/statement-queries.js';
import { transactionsPageQuery } from './transactions/transaction-queries.js';
import {
  accountOwnersQuery,
  batchLegsQuery,
  transferByIdQuery,
  transferHistoryQuery,
} from './transfers/transfer-queries.js';

/** Tables that grow with the business; projection_checkpoints holds a row per partition and may be scanned. */
const LARGE_TABLES = new Set([
  'accounts',
  'ledger_entries',
  'transfers',
  'transfer_status_history',
  'holds',
  'daily_balances',
]);

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function* nodes(plan: PlanNode): Generator<PlanNode> {
  yield plan;
  for (const child of plan.Plans ?? []) yield* nodes(child);
}

describe('every query the service runs is backed by an index', () => {
  let schema: TestSchema;
  let knex: Knex;
  let accountId: string;
  let ownerId: string;
  let transferId: string;

  before(async () => {
    schema = await createTestSchema('qsidx');
    knex = createKnex({ databaseUrl: schema.url, poolSize: 2 });
    await migrateReadModels(knex);
    const pool = schema.pool;
    // 500 accounts of 250 owners, 100 entries each (50,000), 5,000 transfers with 3 status rows each.
    await pool.query(`
      insert into accounts (account_id, owner_id, currency, type, status, balance, held, overdraft_limit, available,
        revision, last_position, opened_at, updated_at)
      select md5('a' || i)::uuid, 'owner-' || (i % 250), 'USD', 'checking', 'open', 0, 0, 0, 0, 100, 0,
        now() - (i || ' minutes')::interval, now()
      from generate_series(1, 500) as i`);
    await pool.query(`
      insert into ledger_entries (account_id, revision, event_id, position, type, amount, balance_after, currency,
        occurred_at)
      select md5('a' || a)::uuid, r, md5('e' || a || '-' || r)::uuid, a * 1000 + r,
        (array['deposit','withdrawal','hold_capture','transfer_in','transfer_out','transfer_refund'])[1 + r % 6],
        100, r * 100, 'USD', timestamptz '2024-01-01' + (r || ' hours')::interval
      from generate_series(1, 500) as a, generate_series(1, 100) as r`);
    await pool.query(`
      insert into transfers (transfer_id, from_account_id, to_account_id, amount, currency, reference, status,
        revision, requested_at, updated_at, batch_id, batch_index, batch_mode)
      select md5('t' || i)::uuid, md5('a' || (1 + i % 500))::uuid, md5('a' || (1 + (i + 1) % 500))::uuid, 100,
        'USD', '', 'completed', 3, now(), now(),
        case when i % 2 = 0 then md5('b' || (i / 10))::uuid end, case when i % 2 = 0 then i % 10 end,
        case when i % 2 = 0 then 'atomic' end
      from generate_series(1, 5000) as i`);
    await pool.query(`
      insert into transfer_status_history (transfer_id, revision, status, at)
      select md5('t' || i)::uuid, r, (array['requested','debited','completed'])[r], now()
      from generate_series(1, 5000) as i, generate_series(1, 3) as r`);
    await pool.query(`
      insert into holds (account_id, hold_id, amount, captured_amount, status, placed_at, updated_at)
      select md5('a' || a)::uuid, md5('h' || a || '-' || h)::uuid, 100, 0,
        (array['open','captured','released','expired'])[1 + h % 4],
        timestamptz '2024-01-01' + (h || ' hours')::interval, now()
      from generate_series(1, 500) as a, generate_series(1, 40) as h`);
    await pool.query(`insert into projection_checkpoints (name, position, updated_at)
      values ('watermark:0', 10, now()), ('watermark:1', 12, now()), ('relay', 20, now())`);
    await pool.query('analyze');
    const rows = await pool.query<{ account_id: string; owner_id: string }>(
      `select account_id, owner_id from accounts where account_id = md5('a250')::uuid`,
    );
    accountId = rows.rows[0]!.account_id;
    ownerId = rows.rows[0]!.owner_id;
    transferId = (await pool.query<{ id: string }>(`select md5('t2500')::uuid as id`)).rows[0]!.id;
  });
  after(async () => {
    await knex.destroy();
    await schema.drop();
  });

  async function planOf(query: Knex.QueryBuilder): Promise<PlanNode> {
    const { sql, bindings } = query.toSQL().toNative();
    const result = await schema.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (format json) ${sql}`,
      bindings as unknown[],
    );
    return result.rows[0]!['QUERY PLAN'][0].Plan;
  }

  const page = {
    limit: 50,
    beforeRevision: undefined,
    from: undefined,
    to: undefined,
    types: [],
  } as const;
  const period = parseStatementPeriod('2024-01-02', '2024-01-03');

  const queries: [string, () => Knex.QueryBuilder][] = [
    ['GetAccount', () => accountByIdQuery(knex, accountId)],
    ['ListAccounts', () => accountsByOwnerQuery(knex, ownerId)],
    ['ListTransactions', () => transactionsPageQuery(knex, { ...page, accountId })],
    [
      'ListTransactions cursor',
      () => transactionsPageQuery(knex, { ...page, accountId, beforeRevision: 60n }),
    ],
    [
      'ListTransactions one type',
      () => transactionsPageQuery(knex, { ...page, accountId, types: ['deposit'] }),
    ],
    [
      'ListTransactions types + cursor',
      () =>
        transactionsPageQuery(knex, {
          ...page,
          accountId,
          types: ['deposit', 'transfer_in'],
          beforeRevision: 80n,
        }),
    ],
    [
      'ListTransactions time range',
      () =>
        transactionsPageQuery(knex, {
          ...page,
          accountId,
          from: '2024-01-02T00:00:00Z',
          to: '2024-01-03T00:00:00Z',
        }),
    ],
    ['GetTransfer', () => transferByIdQuery(knex, transferId)],
    ['GetTransfer history', () => transferHistoryQuery(knex, transferId)],
    ['GetTransferBatch', () => batchLegsQuery(knex, '00000000-0000-4000-8000-000000000000')],
    [
      'GetTransferBatch owners',
      () => accountOwnersQuery(knex, [accountId, '00000000-0000-4000-8000-000000000000']),
    ],
    ['GetStatement opening', () => openingEntryQuery(knex, accountId, period.startsAt)],
    [
      'GetStatement entries',
      () => statementEntriesQuery(knex, accountId, period.startsAt, period.endsBefore),
    ],
    [
      'ListHolds',
      () => holdsPageQuery(knex, { accountId, limit: 50, before: undefined, statuses: [] }),
    ],
    [
      'ListHolds open, after a cursor',
      () =>
        holdsPageQuery(knex, {
          accountId,
          limit: 50,
          before: {
            placedMicros: 1_704_153_600_000_000n,
            holdId: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
          },
          statuses: ['open'],
        }),
    ],
    ['GetHold', () => holdByIdQuery(knex, accountId, '00000000-0000-4000-8000-000000000000')],
    ['consistent position', () => consistentPositionQuery(knex)],
    ['GetProjectionStatus', () => checkpointsQuery(knex)],
  ];

  for (const [name, build] of queries) {
    it(name, async () => {
      const plan = await planOf(build());
      const scans = [...nodes(plan)].filter(
        (node) => node['Node Type'] === 'Seq Scan' && LARGE_TABLES.has(node['Relation Name'] ?? ''),
      );
      assert.deepEqual(
        scans.map((node) => node['Relation Name']),
        [],
        `${name} scans a large table sequentially: ${JSON.stringify(plan)}`,
      );
      const indexes = [...nodes(plan)].map((node) => node['Index Name']).filter(Boolean);
      console.log(`# ${name}: ${[...new Set(indexes)].join(', ') || 'no index (small table)'}`);
    });
  }
});
