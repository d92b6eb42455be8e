import { AppError } from '@bank/platform';

export function deadlineExceeded(): AppError {
  return new AppError(
    'deadline',
    'DEADLINE_EXCEEDED',
    'the call deadline passed before the command finished',
  );
}

/** Milliseconds left before `deadline` (Infinity without one). */
export function remainingMs(deadline: Date | undefined, now = Date.now()): number {
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline.getTime() - now;
}

/** Throws DEADLINE_EXCEEDED once the deadline has passed: work that nobody waits for is not started. */
export function assertBeforeDeadline(deadline: Date | undefined): void {
  if (remainingMs(deadline) <= 0) throw deadlineExceeded();
}
