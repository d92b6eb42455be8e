import type { Knex } from 'knex';
import * as initial from './migrations/001_initial.js';
import * as deadLetters from './migrations/002_projection_dead_letters.js';

/**
 * Migrations are listed in code rather than discovered on disk, so the compiled package runs
 * the same set wherever it is installed.
 */
const MIGRATIONS: Record<string, Knex.Migration> = {
  '001_initial': initial,
  '002_projection_dead_letters': deadLetters,
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

/**
 * Brings the read-model schema up to date; safe to run from several processes at once. A process
 * that finds another one migrating waits for it (up to `waitMs`): on a busy machine, four services
 * starting together can keep the first one's migration running for seconds.
 */
export async function migrateReadModels(knex: Knex, waitMs = 60_000): Promise<void> {
  const giveUpAt = Date.now() + waitMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await knex.migrate.latest({ migrationSource, tableName: 'read_model_migrations' });
      return;
    } catch (error) {
      if (Date.now() >= giveUpAt || !isConcurrentMigration(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1000)));
    }
  }
}

/**
 * knex creates its bookkeeping tables check-then-create, so processes migrating a fresh schema
 * at once collide there (duplicate table or type, or a unique violation on a pg_type row), or
 * on knex's migration lock. The loser tries again and finds the work done or the lock free.
 */
function isConcurrentMigration(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return code === '42P07' || code === '42710' || code === '23505' || name === 'MigrationLocked';
}
