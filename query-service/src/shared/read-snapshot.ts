import type { Knex } from 'knex';
import { AppError, deadlineExceeded, pgErrorKind, remainingMs } from '@bank/platform';
import { READER_SWAP_LOCK_SQL } from '@bank/read-models';

export type Reader = Knex | Knex.Transaction;

/**
 * Runs the reads of one RPC in a single read-only REPEATABLE READ transaction, so that an
 * answer built from several queries (a statement's opening balance and its entries, a transfer
 * and its history) sees one state of the views even while the projector commits.
 *
 * The caller's deadline bounds the work twice: `statement_timeout` makes PostgreSQL abandon
 * the query (so a slow query does not keep a pooled connection busy for a caller who left),
 * and a timer answers DEADLINE_EXCEEDED even while waiting for a free pool connection.
 *
 * Its first statement takes the rebuild swap's lock (READER_SWAP_LOCK_SQL) before the snapshot
 * is fixed: a read that waits for a swap then sees the swapped-in views complete, including the
 * events the swap applied, so a consistency token the views had reached stays reached.
 */
export async function readSnapshot<T>(
  knex: Knex,
  deadline: Date | undefined,
  work: (reader: Knex.Transaction) => Promise<T>,
): Promise<T> {
  if (remainingMs(deadline) <= 0) throw deadlineExceeded();
  const run = knex.transaction(
    async (trx) => {
      const left = remainingMs(deadline);
      if (left <= 0) throw deadlineExceeded();
      // One round trip: neither statement takes a snapshot. SET does not take bind parameters;
      // the value is an integer we computed.
      const timeout = Number.isFinite(left)
        ? `set local statement_timeout = ${Math.max(1, Math.ceil(left))}; `
        : '';
      await trx.raw(`${timeout}${READER_SWAP_LOCK_SQL}`);
      return work(trx);
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  const guarded = run.catch((error: unknown) => {
    throw translateDatabaseError(error);
  });
  if (deadline === undefined) return guarded;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(deadlineExceeded()), Math.max(0, remainingMs(deadline)));
  });
  // The loser of the race must not become an unhandled rejection.
  guarded.catch(() => undefined);
  expired.catch(() => undefined);
  try {
    return await Promise.race([guarded, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Adapter boundary: PostgreSQL and knex failures become catalogue errors; SQL never reaches a caller. */
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  switch (pgErrorKind(error)) {
    case 'canceled': // our statement_timeout fired
      return deadlineExceeded();
    case 'unavailable':
    case 'conflict': // a read that lost to a concurrent transaction succeeds when asked again
      return new AppError('unavailable', 'UNAVAILABLE', 'the read models are unavailable', {
        retryAfterMs: 1000,
      });
    case 'misconfigured':
    case 'unique_violation':
    case 'other':
      return error;
  }
}
