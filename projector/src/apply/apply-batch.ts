import {
  failSpan,
  SpanKind,
  startSpan,
  tracingEnabled,
  type Logger,
  type Span,
  type TraceContext,
} from '@bank/platform';
import {
  applyEventsAndCommit,
  isDeadLettered,
  ProjectionInvariantError,
  StreamGapError,
  type ApplyResult,
  type ProjectionEvent,
  type SqlStatement,
} from '@bank/read-models';
import type { Knex } from 'knex';
import { isTransientError } from '../infrastructure/transient.js';
import type { ProjectorMetrics } from '../metrics.js';

export type FailureReason = 'gap' | 'invariant' | 'failed';

export interface BatchItem<S> {
  readonly event: ProjectionEvent;
  /** Where the event came from (a Kafka message, a store position), for the dead-letter record. */
  readonly source: S;
  /** The remote parent of the event's projection span (Kafka headers or stored metadata). */
  readonly trace?: TraceContext | undefined;
}

export interface BatchOutcome<S> {
  applied: number;
  skipped: number;
  lastOccurredAt: string | undefined;
  /** Events given up on after their retries: the caller dead-letters them. */
  readonly failed: Array<{
    readonly source: S;
    readonly event: ProjectionEvent;
    readonly reason: FailureReason;
    readonly error: Error;
  }>;
}

export interface ApplyBatchOptions<S> {
  readonly knex: Knex;
  readonly logger: Logger;
  readonly metrics: ProjectorMetrics;
  /**
   * The statements that commit with the batch, in its transaction: checkpoints, watermarks, dead
   * letters and at most one NOTIFY.
   */
  readonly commit: (outcome: BatchOutcome<S>) => readonly SqlStatement[];
  /** Attempts for an event whose stream has a gap: an earlier event may still arrive. */
  readonly gapAttempts?: number;
  /** Attempts for an event that fails otherwise. */
  readonly failureAttempts?: number;
  readonly retryDelayMs?: number;
}

/**
 * Applies a batch and its checkpoint in ONE transaction of two round trips (applyEventsAndCommit).
 * When that fails because of an event (not
 * the infrastructure), it finds the culprit: each event is applied on its own, a failing one is
 * retried a bounded number of times and then handed back in `failed`, and the checkpoint commits
 * in a last transaction. Redelivery is harmless throughout (the per-stream revision check), so
 * events applied before a crash are simply skipped next time.
 *
 * Transient errors (connection lost, deadlock) are thrown, for the caller to retry the batch.
 */
export async function applyBatch<S>(
  items: readonly BatchItem<S>[],
  options: ApplyBatchOptions<S>,
): Promise<BatchOutcome<S>> {
  const { knex, logger, metrics } = options;
  const started = process.hrtime.bigint();
  const spans = projectionSpans(items);
  const outcome: BatchOutcome<S> = {
    applied: 0,
    skipped: 0,
    lastOccurredAt: undefined,
    failed: [],
  };
  try {
    await applyEventsAndCommit(
      knex,
      items.map((item) => item.event),
      (result) => options.commit(Object.assign(outcome, result)),
    );
    return done();
  } catch (error) {
    if (isTransientError(error) || items.length === 0) {
      endSpans(spans, error);
      throw error;
    }
    if (error instanceof StreamGapError) metrics.streamGaps.inc();
    Object.assign(outcome, { applied: 0, skipped: 0, lastOccurredAt: undefined });
    logger.warn(
      { err: error, events: items.length },
      'batch failed; applying its events one by one',
    );
  }

  // A gap waits for the missing event only while it may still come: not once it is dead-lettered
  // (in this batch, or before). Otherwise every later event of a broken stream would wait out its
  // retries, and the projection of every other stream with it.
  const neverFills = async (gap: StreamGapError): Promise<boolean> =>
    outcome.failed.some(
      ({ event }) => event.streamId === gap.streamId && event.revision === gap.expectedRevision,
    ) || (await isDeadLettered(knex, gap.streamId, gap.expectedRevision));
  for (const [index, item] of items.entries()) {
    const result = await applyAlone(item, options, neverFills).catch((error: unknown) => {
      endSpans(spans, error);
      throw error;
    });
    if ('reason' in result) {
      failSpan(spans[index], result.error);
      outcome.failed.push({
        source: item.source,
        event: item.event,
        reason: result.reason,
        error: result.error,
      });
      continue;
    }
    outcome.applied += result.applied;
    outcome.skipped += result.skipped;
    outcome.lastOccurredAt = result.lastOccurredAt ?? outcome.lastOccurredAt;
  }
  await applyEventsAndCommit(knex, [], () => options.commit(outcome));
  return done();

  function done(): BatchOutcome<S> {
    endSpans(spans);
    metrics.eventsApplied.inc(outcome.applied);
    metrics.batchDuration.observe(
      { stage: 'apply' },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    return outcome;
  }
}

/** One span per event while tracing, child of the span that stored or published it. */
function projectionSpans<S>(items: readonly BatchItem<S>[]): Array<Span | undefined> {
  if (!tracingEnabled()) return [];
  return items.map((item) =>
    startSpan(`project ${item.event.event.type}`, {
      kind: SpanKind.CONSUMER,
      parent: item.trace,
      attributes: {
        'bank.event_id': item.event.eventId,
        'bank.stream_id': item.event.streamId,
        'bank.position': item.event.position.toString(),
      },
    }),
  );
}

function endSpans(spans: ReadonlyArray<Span | undefined>, error?: unknown): void {
  for (const span of spans) {
    if (error !== undefined) failSpan(span, error);
    span?.end();
  }
}

async function applyAlone<S>(
  item: BatchItem<S>,
  options: ApplyBatchOptions<S>,
  neverFills: (gap: StreamGapError) => Promise<boolean>,
): Promise<ApplyResult | { reason: FailureReason; error: Error }> {
  const {
    knex,
    logger,
    metrics,
    gapAttempts = 4,
    failureAttempts = 2,
    retryDelayMs = 150,
  } = options;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await applyEventsAndCommit(knex, [item.event], () => []);
    } catch (caught) {
      if (isTransientError(caught)) throw caught;
      const error = caught instanceof Error ? caught : new Error(String(caught));
      const gap = error instanceof StreamGapError;
      if (gap) metrics.streamGaps.inc();
      const log = logger.child({
        correlationId: item.event.correlationId,
        eventId: item.event.eventId,
        streamId: item.event.streamId,
      });
      const hopeless = gap && (await neverFills(error));
      if (hopeless || attempt >= (gap ? gapAttempts : failureAttempts)) {
        const reason: FailureReason = gap
          ? 'gap'
          : error instanceof ProjectionInvariantError
            ? 'invariant'
            : 'failed';
        log.error(
          { err: error, attempts: attempt, reason, behindDeadLetter: hopeless },
          'event cannot be applied; dead-lettering it',
        );
        return { reason, error };
      }
      log.warn({ err: error, attempt }, 'event failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs * attempt));
    }
  }
}
