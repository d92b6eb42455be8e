import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

/** A knex instance over pg, with a bounded pool. */
export function createKnex(options: { databaseUrl: string; poolSize: number }): Knex {
  return knexFactory({
    client: 'pg',
    connection: options.databaseUrl,
    pool: { min: 0, max: options.poolSize },
  });
}

/**
 * The connection URL with a server setting for every session it opens, added to the startup
 * `options` beside any already there (a search_path, say). Set at connection start, it is in
 * force before the first query, unlike a SET sent on connect (which pg would run concurrently
 * with the caller's first query).
 */
export function withServerSetting(databaseUrl: string, setting: string, value: string): string {
  if (!/^[a-z_.]+$/.test(setting) || !/^[A-Za-z0-9_.-]+$/.test(value)) {
    throw new Error(`not a plain server setting: ${setting}=${value}`);
  }
  const url = new URL(databaseUrl);
  const options = url.searchParams.get('options');
  url.searchParams.set('options', `${options ? `${options} ` : ''}-c ${setting}=${value}`);
  return url.toString();
}

/** A raw pg pool, for hot paths that skip the query builder. */
export function createPool(options: { databaseUrl: string; poolSize: number }): pg.Pool {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  survivePostgresRestarts(pool);
  return pool;
}

/**
 * PostgreSQL going away (a restart, a failover) must fail the queries in flight, not the process.
 * pg reports a dropped connection as an 'error' event: on the pool for an idle client, and on the
 * client itself while it is checked out (pg-pool removes its own listener then). Either one
 * without a listener is an uncaught exception. The queries themselves still reject, and a broken
 * client is discarded when it is released.
 */
export function survivePostgresRestarts(pool: pg.Pool): void {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
}

/** The largest int8 (bigint column, int64 wire field): positions and revisions stay within it. */
export const MAX_INT64 = 2n ** 63n - 1n;

/** Converts a pg int8/numeric string to bigint, failing loudly on anything else. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypeError(`not an integer: ${String(value)}`);
}
