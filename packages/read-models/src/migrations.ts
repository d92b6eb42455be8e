import type { Knex } from 'knex';
import * as initial from './migrations/001_initial.js';
import * as deadLetters from './migrations/002_projection_dead_letters.js';
import * as deadLetterKeys from './migrations/003_dead_letter_keys.js';
import * as dailyTurnover from './migrations/004_daily_turnover_numeric.js';
import * as holdsByAccount from './migrations/005_holds_by_account.js';
import * as transferBatches from './migrations/006_transfer_batches.js';
import * as transferReversals from './migrations/007_transfer_reversals.js';

/**
 * Migrations are listed in code rather than discovered on disk, so the compiled package runs
 * the same set wherever it is installed.
 */
const MIGRATIONS: Record<string, Knex.Migration> = {
  '001_initial': initial,
  '002_projection_dead_letters': deadLetters,
  '003_dead_letter_keys': deadLetterKeys,
  '004_daily_turnover_numeric': dailyTurnover,
  '005_holds_by_account': holdsByAccount,
  '006_transfer_batches': transferBatches,
  '007_transfer_reversals': transferReversals,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(MIGRATIONS).sort()),
  getMigrationName: (name) => name,
  getMigration: (name) => {
    const migration = MIGRATIONS[name];
    if (!migration) throw new Error(`unknown migration ${name}`);
    return Promise.resolve(migration);
  },
};

const TABLE = 'read_model_migrations';
const LOCK_TABLE = `${TABLE}_lock`;

/**
 * Brings the read-model schema up to date; safe to run from several processes at once. A process
 * that finds another one migrating waits for it (up to `waitMs`): on a busy machine, four services
 * starting together can keep the first one's migration running for seconds.
 */
export async function migrateReadModels(knex: Knex, waitMs = 60_000): Promise<void> {
  const giveUpAt = Date.now() + waitMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await prepareBookkeeping(knex);
      await knex.migrate.latest({ migrationSource, tableName: TABLE });
      return;
    } catch (error) {
      if (Date.now() >= giveUpAt || !isConcurrentMigration(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1000)));
    }
  }
}

/**
 * Creates knex's bookkeeping tables and its one lock row before knex looks for them. knex does it
 * check-then-create with no lock, so two processes migrating a fresh schema can both find the lock
 * table empty and both add a row; from then on knex's lock (an update that must touch exactly one
 * row) fails for ever with "Migration table is already locked". Here it happens in one transaction
 * under an advisory lock per schema, and a table already left with several rows is brought back to
 * one. Column types are knex's own, so knex finds what it would have made.
 */
async function prepareBookkeeping(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw(
      `SELECT pg_advisory_xact_lock(hashtext('bank-read-model-migrations'), hashtext(current_schema()))`,
    );
    if (!(await trx.schema.hasTable(TABLE))) {
      await trx.schema.createTable(TABLE, (table) => {
        table.increments();
        table.string('name');
        table.integer('batch');
        table.timestamp('migration_time');
      });
    }
    if (!(await trx.schema.hasTable(LOCK_TABLE))) {
      await trx.schema.createTable(LOCK_TABLE, (table) => {
        table.increments('index').primary();
        table.integer('is_locked');
      });
    }
    await trx.raw(`DELETE FROM ?? WHERE index > (SELECT min(index) FROM ??)`, [
      LOCK_TABLE,
      LOCK_TABLE,
    ]);
    await trx.raw(`INSERT INTO ?? (is_locked) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM ??)`, [
      LOCK_TABLE,
      LOCK_TABLE,
    ]);
  });
}

/**
 * A process still on code without the advisory lock above can collide with this one on knex's
 * check-then-create (duplicate table or type, or a unique violation on a pg_type row), and any
 * migrator may be holding knex's lock. The loser tries again and finds the work done or the lock
 * free.
 */
function isConcurrentMigration(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return code === '42P07' || code === '42710' || code === '23505' || name === 'MigrationLocked';
}
