import { survivePostgresRestarts } from '@bank/platform/core';
import pg from 'pg';

/** The checker's own connections: its own SQL, never the services' code. */
export function checkerPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 5000 });
  // The run restarts PostgreSQL: a connection dying then, idle or checked out, is not fatal.
  survivePostgresRestarts(pool);
  return pool;
}

/** Runs `fn` in one REPEATABLE READ, READ ONLY snapshot. */
export async function inSnapshot<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export const MONEY_EVENT_TYPES = [
  'FundsDeposited',
  'FundsWithdrawn',
  'TransferDebited',
  'TransferCredited',
  'TransferRefunded',
  'HoldCaptured',
] as const;

/** Signed effect of an event on its account's balance, from the event's own `amount`. */
export function balanceEffect(type: string, amount: bigint): bigint {
  switch (type) {
    case 'FundsDeposited':
    case 'TransferCredited':
    case 'TransferRefunded':
      return amount;
    case 'FundsWithdrawn':
    case 'TransferDebited':
    case 'HoldCaptured':
      return -amount;
    default:
      return 0n;
  }
}
