import type { Histogram } from 'prom-client';
import { AppError, type UnaryContext } from '@bank/platform';
import { deadlineExceeded, remainingMs } from '../shared/read-snapshot.js';
import type { ProjectionPositionWatcher } from './position-watcher.js';

/** Read-your-writes: holds a query until the views include the caller's consistency token. */
export interface ConsistencyGate {
  awaitPosition(position: bigint | undefined, context: UnaryContext): Promise<void>;
}

/**
 * When the projector is further behind than the wait allows, a retry a second later usually
 * lands: a batch commits in well under that.
 */
export const CONSISTENCY_RETRY_AFTER_MS = 1000;

export function createConsistencyGate(options: {
  watcher: ProjectionPositionWatcher;
  waitMs: number;
  waitSeconds: Histogram<'outcome'>;
}): ConsistencyGate {
  return {
    async awaitPosition(position, context) {
      if (position === undefined) return;
      const started = performance.now();
      const untilDeadline = remainingMs(context.deadline);
      const reached = await options.watcher.waitFor(
        position,
        Math.min(options.waitMs, untilDeadline),
      );
      const seconds = (performance.now() - started) / 1000;
      if (reached) {
        options.waitSeconds.observe({ outcome: 'reached' }, seconds);
        return;
      }
      if (untilDeadline <= options.waitMs) {
        options.waitSeconds.observe({ outcome: 'deadline' }, seconds);
        throw deadlineExceeded();
      }
      options.waitSeconds.observe({ outcome: 'timeout' }, seconds);
      context.logger.info(
        { token: position.toString(), consistentPosition: options.watcher.position.toString() },
        'consistency wait timed out',
      );
      throw new AppError(
        'unavailable',
        'CONSISTENCY_TIMEOUT',
        'the views have not caught up with the consistency token yet',
        { retryAfterMs: CONSISTENCY_RETRY_AFTER_MS },
      );
    },
  };
}
