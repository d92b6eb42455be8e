import { EventStoreUnavailableError } from '../port.js';

interface PgErrorFields {
  code?: unknown;
  constraint?: unknown;
  detail?: unknown;
  message?: unknown;
}

/** Node socket errors and pg-pool messages that mean "PostgreSQL is not reachable right now". */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
const unavailableMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
];

export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as PgErrorFields | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function pgConstraint(error: unknown): string | undefined {
  const constraint = (error as PgErrorFields | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

export function pgDetail(error: unknown): string | undefined {
  const detail = (error as PgErrorFields | null)?.detail;
  return typeof detail === 'string' ? detail : undefined;
}

/**
 * True for failures worth retrying later: the server is down, restarting, out of
 * connections, or the socket broke (SQLSTATE classes 08 and 57P, 53300).
 */
export function isUnavailable(error: unknown): boolean {
  const code = pgErrorCode(error);
  if (code !== undefined) {
    if (
      networkCodes.has(code) ||
      code.startsWith('08') ||
      code.startsWith('57P') ||
      code === '53300'
    ) {
      return true;
    }
  }
  const message = (error as PgErrorFields | null)?.message;
  return typeof message === 'string' && unavailableMessages.some((m) => message.includes(m));
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
