/**
 * A decider answers a command with the events it causes or with a business rejection.
 * Rejections are expected outcomes (a result), not exceptions.
 */

export const REJECTION_CODES = [
  'ACCOUNT_NOT_FOUND',
  'ACCOUNT_ALREADY_EXISTS',
  'ACCOUNT_FROZEN',
  'ACCOUNT_NOT_FROZEN',
  'ACCOUNT_CLOSED',
  'ACCOUNT_NOT_EMPTY',
  'OPEN_HOLDS',
  'INSUFFICIENT_FUNDS',
  'BALANCE_LIMIT_EXCEEDED',
  'INVALID_AMOUNT',
  'HOLD_NOT_FOUND',
  'HOLD_ALREADY_EXISTS',
  'HOLD_EXPIRED',
  'HOLD_NOT_EXPIRED',
  'CAPTURE_EXCEEDS_HOLD',
  'CURRENCY_MISMATCH',
  'SAME_ACCOUNT',
  'TRANSFER_NOT_FOUND',
  'TRANSFER_ALREADY_EXISTS',
  'TRANSFER_STATE_INVALID',
  'TRANSFER_NOT_REVERSIBLE',
  'REVERSAL_EXCEEDS_ORIGINAL',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

export type Rejection = { readonly code: RejectionCode; readonly message: string };

export type Decision<E> =
  | { readonly ok: true; readonly events: readonly E[] }
  | { readonly ok: false; readonly rejection: Rejection };

export const accept = <E>(...events: E[]): Decision<E> => ({ ok: true, events });
export const reject = <E>(code: RejectionCode, message: string): Decision<E> => ({
  ok: false,
  rejection: { code, message },
});

/**
 * A command that no caller should have built (a malformed time, say): a broken invariant of the
 * caller, not a business outcome, so it throws instead of rejecting.
 */
export class InvalidCommandError extends Error {
  readonly type = 'InvalidCommandError';
}

/** Makes a switch over a union fail to compile when a case is missing. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
