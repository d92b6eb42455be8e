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

/** A raw pg pool, for hot paths that skip the query builder. */
export function createPool(options: { databaseUrl: string; poolSize: number }): pg.Pool {
  return new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
}

/** Converts a pg int8/numeric string to bigint, failing loudly on anything else. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypeError(`not an integer: ${String(value)}`);
}
