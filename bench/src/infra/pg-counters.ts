import pg from 'pg';
import { databaseUrl } from './database.js';

/**
 * PostgreSQL's own counters, read before and after a phase: WAL flushes (`pg_stat_wal.wal_sync`,
 * cluster-wide) and transactions committed or rolled back in the bench's database
 * (`pg_stat_database`). Both count every session of the server, so anything else running on it
 * adds to them. Backends report their statistics up to a second late (and an idle one only after
 * ten): a phase read right after a warm-up of the same load gains about as much of the warm-up's
 * tail as it loses of its own. Statements (round trips) are not counted by either view: that
 * needs pg_stat_statements, which this server does not load.
 */
export interface PgCounters {
  readonly walFlushes: bigint;
  readonly transactions: bigint;
}

export async function readPgCounters(): Promise<PgCounters> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ wal_sync: string; xacts: string }>(
      `SELECT (SELECT wal_sync FROM pg_stat_wal)::text AS wal_sync,
              (SELECT xact_commit + xact_rollback FROM pg_stat_database
                WHERE datname = current_database())::text AS xacts`,
    );
    return {
      walFlushes: BigInt(rows[0]?.wal_sync ?? '0'),
      transactions: BigInt(rows[0]?.xacts ?? '0'),
    };
  } finally {
    await client.end();
  }
}

/** Per unit of work between two readings (the reading's own transaction taken out). */
export function pgPerUnit(
  before: PgCounters,
  after: PgCounters,
  units: number,
): { walFlushes: number; transactions: number } {
  if (units <= 0) return { walFlushes: Number.NaN, transactions: Number.NaN };
  return {
    walFlushes: Number(after.walFlushes - before.walFlushes) / units,
    transactions: Number(after.transactions - before.transactions - 1n) / units,
  };
}
