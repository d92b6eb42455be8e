import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createKnex } from '@bank/platform';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import { migrateReadModels } from '../migrations.js';
import { VIEW_TABLES } from '../view-tables.js';
import { ACCOUNTS } from './accounts.js';
import { DAILY_BALANCES } from './daily-balances.js';
import { HOLDS } from './holds.js';
import { LEDGER_ENTRIES } from './ledger-entries.js';
import { STREAM_CHECKPOINTS } from './stream-checkpoints.js';
import { TRANSFER_STATUS_HISTORY } from './transfer-status-history.js';
import { TRANSFERS } from './transfers.js';

const TABLES = [
  ACCOUNTS,
  LEDGER_ENTRIES,
  HOLDS,
  DAILY_BALANCES,
  TRANSFERS,
  TRANSFER_STATUS_HISTORY,
  STREAM_CHECKPOINTS,
];

describe('the table modules', () => {
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema('read_model_tables');
    const knex = createKnex({ databaseUrl: schema.url, poolSize: 1 });
    try {
      await migrateReadModels(knex, 20_000);
    } finally {
      await knex.destroy();
    }
  });
  after(() => schema.drop());

  it('name every view table', () => {
    assert.deepEqual(
      TABLES.map((table) => table.name),
      [...VIEW_TABLES],
    );
  });

  for (const table of TABLES) {
    it(`describe ${table.name} as the migrations build it`, async () => {
      const { rows } = await schema.pool.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1`,
        [table.name],
      );
      const pgType = (type: string): string =>
        type === 'timestamp with time zone' ? 'timestamptz' : type;
      const sorted = (entries: Array<[string, string]>) =>
        entries.sort(([a], [b]) => (a < b ? -1 : 1));
      assert.deepEqual(
        sorted(Object.entries(table.columns)),
        sorted(rows.map((row) => [row.column_name, pgType(row.data_type)])),
      );
    });
  }
});
