import type { RejectionCode } from '@bank/domain';

/**
 * The one error catalogue. Every transport maps these categories the same way:
 *
 * | category      | gRPC                | HTTP |
 * | validation    | INVALID_ARGUMENT    | 400  |
 * | forbidden     | PERMISSION_DENIED   | 403  |
 * | not_found     | NOT_FOUND           | 404  |
 * | business      | FAILED_PRECONDITION | 422  |
 * | conflict      | ABORTED             | 409  |
 * | unavailable   | UNAVAILABLE         | 503  |
 * | deadline      | DEADLINE_EXCEEDED   | 504  |
 * | internal      | INTERNAL            | 500  |
 */
export type ErrorCategory =
  | 'validation'
  | 'forbidden'
  | 'not_found'
  | 'business'
  | 'conflict'
  | 'unavailable'
  | 'deadline'
  | 'internal';

export type ErrorCode =
  | RejectionCode
  | 'VALIDATION_FAILED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONCURRENCY_CONFLICT'
  | 'COMMAND_ID_REUSED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_IN_FLIGHT'
  | 'MULTI_STREAM_APPEND_UNSUPPORTED'
  | 'UNAVAILABLE'
  | 'CONSISTENCY_TIMEOUT'
  | 'CONSISTENCY_TOKEN_BEYOND_HEAD'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL';

export interface AppErrorDetails {
  /** The request field at fault, for validation errors. */
  readonly field?: string;
  /** When a retry may succeed, for unavailable errors. */
  readonly retryAfterMs?: number;
  /** The first outcome of the command, answered again to a repeat of it. */
  readonly replayed?: true;
}

export class AppError extends Error {
  readonly type = 'AppError';
  constructor(
    readonly category: ErrorCategory,
    readonly code: ErrorCode,
    message: string,
    readonly details: AppErrorDetails = {},
  ) {
    super(message);
  }
}

const NOT_FOUND_REJECTIONS: ReadonlySet<string> = new Set([
  'ACCOUNT_NOT_FOUND',
  'HOLD_NOT_FOUND',
  'TRANSFER_NOT_FOUND',
]);

/** Maps a domain rejection to the catalogue: "not found" rejections are not_found, the rest business. */
export function rejectionError(code: RejectionCode, message: string): AppError {
  return new AppError(NOT_FOUND_REJECTIONS.has(code) ? 'not_found' : 'business', code, message);
}

export const validationError = (message: string, field?: string): AppError =>
  new AppError('validation', 'VALIDATION_FAILED', message, field === undefined ? {} : { field });

export const notFoundError = (message = 'not found'): AppError =>
  new AppError('not_found', 'NOT_FOUND', message);

/** The actor's roles do not allow the operation at all (not "someone else's resource": that is not_found). */
export const forbiddenError = (message = 'not allowed'): AppError =>
  new AppError('forbidden', 'FORBIDDEN', message);
