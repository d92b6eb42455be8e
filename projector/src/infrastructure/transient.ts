import { pgErrorKind, type PgErrorKind } from '@bank/platform/core';

/** The infrastructure's failures; the data's (a refused row, a wrong statement) are not. */
const TRANSIENT: Readonly<Record<PgErrorKind, boolean>> = {
  unavailable: true,
  conflict: true,
  canceled: true,
  misconfigured: true,
  unique_violation: false,
  other: false,
};

/**
 * Whether an error is about the infrastructure (a dropped connection, a deadlock, a full pool,
 * a statement timeout, a refused login) rather than about the events. Transient errors are
 * retried as a whole batch; only the other kind may send an event to the dead-letter queue, so
 * an outage never empties the views into it.
 */
export function isTransientError(error: unknown): boolean {
  if ((error as { name?: unknown } | null)?.name === 'EventStoreUnavailableError') return true;
  return TRANSIENT[pgErrorKind(error)];
}
