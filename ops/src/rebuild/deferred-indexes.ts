import type { Knex } from 'knex';
import { ident } from './projections.js';

/** Where the shadow schema remembers the indexes it dropped until the load is done. */
const BOOKKEEPING = 'rebuild_deferred_indexes';

/**
 * Drops the secondary indexes and unique constraints (everything but the primary keys) of
 * `tables` in the empty shadow schema, remembering their definitions in the shadow itself: one
 * sorted build per index after the load costs far less than maintaining it row by row. The load
 * needs only the primary keys of the tables whose rows it looks up and updates; those of
 * `appendOnly` tables, only ever inserted, are deferred too (a duplicate then fails the key's
 * build, still before the swap). `restoreDeferredIndexes` puts them back exactly as the
 * migrations made them.
 *
 * Does nothing when the shadow already has the bookkeeping table (a resumed rebuild whose
 * indexes are already deferred) or is not empty.
 */
export async function deferSecondaryIndexes(
  db: Knex,
  shadow: string,
  tables: readonly string[],
  appendOnly: readonly string[] = [],
): Promise<number> {
  return db.transaction(async (trx) => {
    const exists = await trx.raw<{ rows: Array<{ name: string | null }> }>(
      'SELECT to_regclass(?)::text AS name',
      [`${ident(shadow)}.${ident(BOOKKEEPING)}`],
    );
    if (exists.rows[0]?.name) return 0;
    const indexes = await trx.raw<{
      rows: Array<{ table: string; index: string; indexdef: string; condef: string | null }>;
    }>(
      `SELECT c.relname AS table, ic.relname AS index, pg_get_indexdef(i.indexrelid) AS indexdef,
              CASE WHEN con.oid IS NULL THEN NULL ELSE pg_get_constraintdef(con.oid) END AS condef
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = c.oid
        WHERE n.nspname = ?
          AND (NOT i.indisprimary OR c.relname IN (SELECT jsonb_array_elements_text(?::jsonb)))
          AND c.relname IN (SELECT jsonb_array_elements_text(?::jsonb))
        ORDER BY c.relname, ic.relname`,
      [shadow, JSON.stringify(appendOnly), JSON.stringify(tables)],
    );
    await trx.raw(
      `CREATE TABLE ${ident(shadow)}.${ident(BOOKKEEPING)} (name text PRIMARY KEY, definition text NOT NULL)`,
    );
    for (const { table, index, indexdef, condef } of indexes.rows) {
      const qualified = `${ident(shadow)}.${ident(table)}`;
      const definition =
        condef === null
          ? indexdef
          : `ALTER TABLE ${qualified} ADD CONSTRAINT ${ident(index)} ${condef}`;
      await trx.raw(`INSERT INTO ${ident(shadow)}.${ident(BOOKKEEPING)} VALUES (?, ?)`, [
        index,
        definition,
      ]);
      await trx.raw(
        condef === null
          ? `DROP INDEX ${ident(shadow)}.${ident(index)}`
          : `ALTER TABLE ${qualified} DROP CONSTRAINT ${ident(index)}`,
      );
    }
    return indexes.rows.length;
  });
}

/** Index builds at once: one per core of a small server; each is one backend's sort. */
const PARALLEL_BUILDS = 2;

/**
 * Builds the indexes `deferSecondaryIndexes` dropped, `PARALLEL_BUILDS` at a time. Each index is
 * built in one transaction with the removal of its bookkeeping row, so a crash leaves exactly
 * the unbuilt ones to the rerun; the bookkeeping table goes once it is empty. Two builds on one
 * table just wait for each other's table lock (each takes that lock first, then its bookkeeping
 * row, so they cannot deadlock). A no-op when nothing is deferred.
 */
export async function restoreDeferredIndexes(db: Knex, shadow: string): Promise<number> {
  const table = `${ident(shadow)}.${ident(BOOKKEEPING)}`;
  const exists = await db.raw<{ rows: Array<{ name: string | null }> }>(
    'SELECT to_regclass(?)::text AS name',
    [table],
  );
  if (!exists.rows[0]?.name) return 0;
  const deferred = await db.raw<{ rows: Array<{ name: string; definition: string }> }>(
    `SELECT name, definition FROM ${table} ORDER BY name`,
  );
  const queue = [...deferred.rows];
  let failed = false;
  const build = async (): Promise<void> => {
    for (let next = queue.shift(); next && !failed; next = queue.shift()) {
      const { name, definition } = next;
      try {
        await db.transaction(async (trx) => {
          // Sorting an index's keys in memory instead of on disk; this transaction only.
          await trx.raw(`SET LOCAL maintenance_work_mem = '256MB'`);
          await trx.raw(definition);
          await trx.raw(`DELETE FROM ${table} WHERE name = ?`, [name]);
        });
      } catch (error) {
        failed = true; // the other builder starts nothing new
        throw error;
      }
    }
  };
  // Both builders finish (or fail) before this returns: none may outlive a failure of the other.
  const outcomes = await Promise.allSettled(Array.from({ length: PARALLEL_BUILDS }, build));
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  await db.raw(`DROP TABLE ${table}`);
  return deferred.rows.length;
}
