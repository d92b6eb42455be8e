import { EventStoreUnavailableError } from '@bank/event-store';
import { ConfigError, pgErrorKind, type PgErrorKind } from '@bank/platform/core';

/**
 * Exit codes of every `bank` command. Scripts may rely on them:
 *   0  success (verify: the read models agree with the event store)
 *   1  the command ran and found a problem: verify saw differences, a projection refused events
 *   2  usage or configuration error: unknown command or flag, bad value, invalid environment
 *   3  a store could not be reached: PostgreSQL, the event store or Kafka
 *   4  another rebuild holds the rebuild lock
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, busy: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  success (verify: read models agree with the event store)
  1  the command found a problem (verify: differences; replay/rebuild: events refused)
  2  usage or configuration error (bad command, flag or value; invalid environment)
  3  a store is unreachable (PostgreSQL, event store, Kafka)
  4  another rebuild is running (it holds the rebuild lock)`;

/** A bad command line or configuration: exit 2. */
export class UsageError extends Error {
  readonly type = 'UsageError';
}

/** A store could not be reached: exit 3. */
export class UnreachableError extends Error {
  readonly type = 'UnreachableError';
}

/** Another process holds a lock this command needs: exit 4. */
export class BusyError extends Error {
  readonly type = 'BusyError';
}

/** An expected failure with its message already worded for the operator: exit 1. */
export class CommandFailedError extends Error {
  readonly type = 'CommandFailedError';
}

/** A store that cannot serve now, or refuses this command's login or database: exit 3. */
const UNREACHABLE: Readonly<Record<PgErrorKind, boolean>> = {
  unavailable: true,
  misconfigured: true,
  conflict: false,
  canceled: false,
  unique_violation: false,
  other: false,
};

const KAFKA_CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNonRetriableError',
]);

/** Whether an error means that a store was unreachable rather than that it answered no. */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof UnreachableError || error instanceof EventStoreUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { name, cause } = error as { name?: unknown; cause?: unknown };
  if (UNREACHABLE[pgErrorKind(error)]) return true;
  if (typeof name === 'string' && KAFKA_CONNECTION_ERRORS.has(name)) {
    return name !== 'KafkaJSNonRetriableError' || isUnreachable(cause);
  }
  if (error instanceof AggregateError) return error.errors.some(isUnreachable);
  return cause !== undefined && cause !== error && isUnreachable(cause);
}

export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof BusyError) return EXIT.busy;
  if (error instanceof ConfigError) return EXIT.usage;
  if (isUnreachable(error)) return EXIT.unreachable;
  return EXIT.failed;
}
