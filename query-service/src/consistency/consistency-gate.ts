import type { Histogram } from 'prom-client';
import { AppError, deadlineExceeded, remainingMs, type UnaryContext } from '@bank/platform';
import type { ProjectionPositionWatcher } from './position-watcher.js';
import type { StoreHead } from './store-head.js';

/** Read-your-writes: holds a query until the views include the caller's consistency token. */
export interface ConsistencyGate {
  awaitPosition(position: bigint | undefined, context: UnaryContext): Promise<void>;
}

/**
 * When the projector is further behind than the wait allows, a retry a second later usually
 * lands: a batch commits in well under that.
 */
export const CONSISTENCY_RETRY_AFTER_MS = 1000;

/**
 * A token the views have not reached waits (up to `waitMs`). A token beyond the event store's
 * head was never returned by a command and never will be reached: it is refused at once with
 * CONSISTENCY_TOKEN_BEYOND_HEAD instead of answering "retry later" for ever. The head is read
 * only for a token past both the last head seen and the views' position, alongside the wait
 * (a read-your-writes query is not delayed by it); a failed head read leaves the query waiting.
 */
export function createConsistencyGate(options: {
  watcher: ProjectionPositionWatcher;
  head: StoreHead;
  waitMs: number;
  waitSeconds: Histogram<'outcome'>;
}): ConsistencyGate {
  const { watcher, head } = options;
  return {
    async awaitPosition(position, context) {
      if (position === undefined || watcher.position >= position) return;
      const started = performance.now();
      const untilDeadline = remainingMs(context.deadline);
      const observe = (outcome: string): void => {
        options.waitSeconds.observe({ outcome }, (performance.now() - started) / 1000);
      };
      const stopWaiting = new AbortController();
      const known = head.lastSeen > watcher.position ? head.lastSeen : watcher.position;
      const beyondHead =
        position > known
          ? head.fresh().then(
              (at): bigint | undefined => {
                if (position <= at) return undefined;
                stopWaiting.abort();
                return at;
              },
              (error: unknown) => {
                context.logger.warn({ err: error }, 'reading the event store head failed');
                return undefined;
              },
            )
          : undefined;
      const reached = await watcher.waitFor(
        position,
        Math.min(options.waitMs, untilDeadline),
        stopWaiting.signal,
      );
      if (reached) {
        observe('reached');
        return;
      }
      const at = await beyondHead;
      if (at !== undefined) {
        observe('beyond_head');
        throw new AppError(
          'validation',
          'CONSISTENCY_TOKEN_BEYOND_HEAD',
          `consistency token ${position} is beyond the event store's head (position ${at}): no command returned it`,
        );
      }
      if (untilDeadline <= options.waitMs) {
        observe('deadline');
        throw deadlineExceeded();
      }
      observe('timeout');
      context.logger.info(
        { token: position.toString(), consistentPosition: watcher.position.toString() },
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
