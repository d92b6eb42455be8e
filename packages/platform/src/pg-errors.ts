/**
 * What a failed PostgreSQL call means to its caller, whichever layer raised it: the server (a
 * SQLSTATE), pg or pg-pool (a plain message), knex (its pool timeout) or the socket (a Node
 * errno). Each caller maps the kind to its own answer: a gRPC status, an exit code, a retry.
 *
 * | kind             | meaning                                              | retry          |
 * | unavailable      | the server cannot serve now: unreachable, shutting   | later, backoff |
 * |                  | down or starting, out of connections or resources    |                |
 * | conflict         | the transaction lost to a concurrent one             | the whole tx   |
 * | canceled         | statement_timeout or a cancel request stopped it     | caller decides |
 * | misconfigured    | the server refused this connection's role, password  | no: fix config |
 * |                  | or database                                          |                |
 * | unique_violation | a unique constraint refused the row                  | no             |
 * | other            | the statement or its data is wrong                   | no             |
 */
export type PgErrorKind =
  'unavailable' | 'conflict' | 'canceled' | 'misconfigured' | 'unique_violation' | 'other';

/**
 * The rule table, keyed by the error's `code`: a SQLSTATE, else its two-character class, or a
 * Node socket errno. A code's own row wins over its class's row.
 */
const RULES: Readonly<Record<string, PgErrorKind>> = {
  '08': 'unavailable', // connection exception
  '53': 'unavailable', // insufficient resources: 53300 too many connections, disk full, memory
  '57': 'unavailable', // operator intervention: admin or crash shutdown, cannot connect now
  '58': 'unavailable', // system error: I/O on the server
  '57014': 'canceled', // query_canceled
  '40001': 'conflict', // serialization_failure
  '40P01': 'conflict', // deadlock_detected
  '55P03': 'conflict', // lock_not_available: lock_timeout or NOWAIT
  '28000': 'misconfigured', // invalid_authorization_specification: no such role, pg_hba refuses
  '28P01': 'misconfigured', // invalid_password
  '3D000': 'misconfigured', // invalid_catalog_name: no such database
  '23505': 'unique_violation',
  ECONNREFUSED: 'unavailable',
  ECONNRESET: 'unavailable',
  EPIPE: 'unavailable',
  ETIMEDOUT: 'unavailable',
  EHOSTUNREACH: 'unavailable',
  ENETUNREACH: 'unavailable',
  ENOTFOUND: 'unavailable',
  EAI_AGAIN: 'unavailable',
};

/** pg and pg-pool report a lost or unobtainable connection as a plain Error with one of these. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|Connection ended unexpectedly|Client has encountered a connection error|timeout exceeded when trying to connect/;

interface PgErrorFields {
  code?: unknown;
  constraint?: unknown;
  detail?: unknown;
  message?: unknown;
  name?: unknown;
}

const field = (error: unknown, name: keyof PgErrorFields): string | undefined => {
  const value = (error as PgErrorFields | null | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

/** The SQLSTATE (or Node errno) of a failed call, when it has one. */
export const pgErrorCode = (error: unknown): string | undefined => field(error, 'code');

/** The constraint a server error names (a unique violation's index). */
export const pgConstraint = (error: unknown): string | undefined => field(error, 'constraint');

/** The server's DETAIL line: a unique violation's key, for one. */
export const pgDetail = (error: unknown): string | undefined => field(error, 'detail');

/** A SQLSTATE's own row, else its class's row; a Node errno's row. */
function kindOfCode(code: string): PgErrorKind | undefined {
  if (/^[0-9A-Z]{5}$/.test(code)) return RULES[code] ?? RULES[code.slice(0, 2)];
  return /^E[A-Z_]+$/.test(code) ? RULES[code] : undefined;
}

export function pgErrorKind(error: unknown): PgErrorKind {
  const code = pgErrorCode(error);
  const kind = code === undefined ? undefined : kindOfCode(code);
  if (kind !== undefined) return kind;
  // knex's pool gave up waiting for a free connection.
  if (field(error, 'name') === 'KnexTimeoutError') return 'unavailable';
  const message = field(error, 'message');
  if (message !== undefined && UNAVAILABLE_MESSAGES.test(message)) return 'unavailable';
  return 'other';
}
