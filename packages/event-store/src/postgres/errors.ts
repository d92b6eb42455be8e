import { pgErrorKind } from '@bank/platform/core';
import { EventStoreUnavailableError } from '../port.js';

/** True for failures worth retrying later: pgErrorKind's `unavailable`. */
export function isUnavailable(error: unknown): boolean {
  return pgErrorKind(error) === 'unavailable';
}

/** Rethrows connection failures as EventStoreUnavailableError, anything else unchanged. */
export function translateInfrastructureError(error: unknown): unknown {
  if (error instanceof EventStoreUnavailableError) return error;
  if (isUnavailable(error)) {
    return new EventStoreUnavailableError(
      `PostgreSQL event store unavailable: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return error;
}
