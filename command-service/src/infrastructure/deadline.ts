/** The platform's deadline helpers, where this service's modules import them. */
export { assertBeforeDeadline, deadlineExceeded, remainingMs } from '@bank/platform';
