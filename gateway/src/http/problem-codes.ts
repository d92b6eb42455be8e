import type { ErrorCode } from '@bank/platform';
import type { EdgeCode } from './problem.js';

/** Every `code` a problem can carry: the platform catalogue and the HTTP edge's own. */
export type ProblemCode = ErrorCode | EdgeCode;

/**
 * The HTTP status of each code (the catalogue the OpenAPI document lists per operation).
 * Business rejections are 422 except the not-found ones, as the platform maps them.
 */
export const PROBLEM_STATUS: Readonly<Record<ProblemCode, number>> = {
  VALIDATION_FAILED: 400,
  CONSISTENCY_TOKEN_BEYOND_HEAD: 400,
  UNAUTHENTICATED: 401,
  TOKEN_ISSUED_IN_FUTURE: 401,
  TOKEN_LIFETIME_TOO_LONG: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  HOLD_NOT_FOUND: 404,
  TRANSFER_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONCURRENCY_CONFLICT: 409,
  IDEMPOTENCY_IN_FLIGHT: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  COMMAND_ID_REUSED: 422,
  ACCOUNT_ALREADY_EXISTS: 422,
  ACCOUNT_FROZEN: 422,
  ACCOUNT_NOT_FROZEN: 422,
  ACCOUNT_CLOSED: 422,
  ACCOUNT_NOT_EMPTY: 422,
  OPEN_HOLDS: 422,
  INSUFFICIENT_FUNDS: 422,
  BALANCE_LIMIT_EXCEEDED: 422,
  INVALID_AMOUNT: 422,
  HOLD_ALREADY_EXISTS: 422,
  HOLD_EXPIRED: 422,
  HOLD_NOT_EXPIRED: 422,
  CAPTURE_EXCEEDS_HOLD: 422,
  CURRENCY_MISMATCH: 422,
  SAME_ACCOUNT: 422,
  TRANSFER_ALREADY_EXISTS: 422,
  TRANSFER_STATE_INVALID: 422,
  TRANSFER_NOT_REVERSIBLE: 422,
  REVERSAL_EXCEEDS_ORIGINAL: 422,
  MULTI_STREAM_APPEND_UNSUPPORTED: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  CONSISTENCY_TIMEOUT: 503,
  DEADLINE_EXCEEDED: 504,
};

/**
 * Codes no operation answers, with the reason: a test checks that every other code of the
 * catalogue is listed on the operations that can return it.
 */
export const CODES_NO_OPERATION_RETURNS: Readonly<Partial<Record<ProblemCode, string>>> = {
  METHOD_NOT_ALLOWED: 'answered for a known path with a method it has no operation for',
  URI_TOO_LONG: 'answered before routing, for any path',
  HEADERS_TOO_LARGE: 'answered by the HTTP parser before there is a request',
  REQUEST_TIMEOUT: 'answered by the HTTP parser before there is a request',
  ACCOUNT_ALREADY_EXISTS: 'the gateway derives every new account id from the command id',
  HOLD_ALREADY_EXISTS: 'the gateway derives every new hold id from the command id',
  TRANSFER_ALREADY_EXISTS: 'the gateway derives every new transfer id from the command id',
  INVALID_AMOUNT: 'the command service refuses such an amount as VALIDATION_FAILED first',
  HOLD_NOT_EXPIRED: 'only the hold-expiry worker expires holds',
  TRANSFER_STATE_INVALID: 'only the transfer process manager moves a transfer on',
  COMMAND_ID_REUSED:
    'the gateway derives every command id from the (principal, Idempotency-Key) pair, so no two principals send one',
};

/** What every authenticated operation can answer, before or around its own rules. */
const EVERY_OPERATION: readonly ProblemCode[] = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'TOKEN_ISSUED_IN_FUTURE',
  'TOKEN_LIFETIME_TOO_LONG',
  'FORBIDDEN',
  'RATE_LIMITED',
  'INTERNAL',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
];
/** A command also answers the Idempotency-Key outcomes and body handling. */
const EVERY_COMMAND: readonly ProblemCode[] = [
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_IN_FLIGHT',
  'CONCURRENCY_CONFLICT',
];
/**
 * A read may wait for X-Consistency-Token past its bound, or carry one beyond the event store's
 * head (no command returned it: waiting would never end).
 */
const EVERY_READ: readonly ProblemCode[] = ['CONSISTENCY_TIMEOUT', 'CONSISTENCY_TOKEN_BEYOND_HEAD'];

/** The codes an operation of `kind` can answer: the common ones and its own, sorted by status. */
export function operationProblems(
  kind: 'command' | 'read',
  own: readonly ProblemCode[],
): ProblemCode[] {
  const all = new Set([
    ...EVERY_OPERATION,
    ...(kind === 'command' ? EVERY_COMMAND : EVERY_READ),
    ...own,
  ]);
  return [...all].sort((a, b) => PROBLEM_STATUS[a] - PROBLEM_STATUS[b] || a.localeCompare(b));
}

const STATUS_MEANING: Readonly<Record<number, string>> = {
  400: 'The request is invalid; `field` names the part at fault.',
  401: 'No valid bearer token.',
  403: 'Your roles do not allow this operation (the detail names the rule).',
  404: 'Not found, or not yours (both read the same).',
  409: 'Try again: a concurrent change, or the first request with this Idempotency-Key still runs.',
  413: 'The body is too large.',
  415: 'The body must be application/json.',
  422: 'Refused by a rule; nothing changed.',
  429: 'Too many requests; see Retry-After.',
  500: 'An internal error, without details.',
  503: 'Try again after Retry-After.',
  504: 'The upstream did not answer in time.',
};

const problemContent = { 'application/problem+json': { schema: { $ref: 'Problem#' } } };

/** One response per status of `codes`, its description naming the codes it carries. */
export function problemResponses(codes: readonly ProblemCode[]): Record<string, object> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) {
    const status = PROBLEM_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: `${STATUS_MEANING[status] ?? 'A problem.'} Codes: ${list.join(', ')}.`,
        content: problemContent,
      },
    ]),
  );
}
