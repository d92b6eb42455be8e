import { AppError } from './errors.js';

/*
 * A call's deadline is an absolute instant (UnaryContext.deadline); undefined means the caller
 * set none and the work may take as long as it takes.
 */

export const deadlineExceeded = (): AppError =>
  new AppError('deadline', 'DEADLINE_EXCEEDED', 'the call deadline passed before it finished');

/** Milliseconds left before `deadline`; Infinity when the caller set none. */
export function remainingMs(deadline: Date | undefined, now = Date.now()): number {
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline.getTime() - now;
}

/** Throws DEADLINE_EXCEEDED once the deadline has passed: work that nobody waits for is not started. */
export function assertBeforeDeadline(deadline: Date | undefined): void {
  if (remainingMs(deadline) <= 0) throw deadlineExceeded();
}
