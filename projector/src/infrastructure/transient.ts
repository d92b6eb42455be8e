/**
 * Whether an error is about the infrastructure (a dropped connection, a deadlock, a full pool)
 * rather than about the events. Transient errors are retried as a whole batch; only the other
 * kind may send an event to the dead-letter queue, so an outage never empties the views into it.
 */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // PostgreSQL SQLSTATE classes: 08 connection, 53 resources, 57 operator intervention (e.g.
    // admin shutdown), 58 system; 40001 serialization failure, 40P01 deadlock, 55P03 lock timeout.
    if (/^(08|53|57|58)/.test(code) || ['40001', '40P01', '55P03'].includes(code)) return true;
    if (
      ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)
    )
      return true;
  }
  if (name === 'KnexTimeoutError' || name === 'EventStoreUnavailableError') return true;
  if (
    typeof message === 'string' &&
    /Connection terminated|connection .*closed|Client has encountered a connection error/i.test(
      message,
    )
  ) {
    return true;
  }
  return false;
}
