import type { Knex } from 'knex';
import { foldEvents } from './fold.js';
import { loadViewState, lockStreams } from './load.js';
import type { ProjectionEvent } from './projection-event.js';
import { writeViewChanges } from './write.js';

export interface ApplyResult {
  /** Events that changed the views. */
  readonly applied: number;
  /** Redeliveries: already in the views, ignored. */
  readonly skipped: number;
  /** occurredAt of the last applied event. */
  readonly lastOccurredAt: string | undefined;
}

/**
 * Applies a batch of events to the read models inside the caller's transaction: locks the
 * batch's streams, loads the rows the events touch, folds in memory, writes the changes with one
 * statement per table. The views and their idempotency records change together or not at all.
 *
 * Throws StreamGapError (an earlier event of a stream is missing), ProjectionInvariantError (the
 * events contradict the views) or a database error; the transaction is then unusable.
 *
 * Table names are unqualified: the connection's search_path picks the schema, so the same code
 * can build shadow tables for a rebuild.
 */
export async function applyEvents(
  trx: Knex.Transaction,
  events: readonly ProjectionEvent[],
): Promise<ApplyResult> {
  if (events.length === 0) return { applied: 0, skipped: 0, lastOccurredAt: undefined };
  const streams = await lockStreams(
    trx,
    events.map((e) => e.streamId),
  );
  // A batch of redeliveries only needs the lock and the check.
  const fresh = events.filter((e) => e.revision > (streams.get(e.streamId) ?? -1n));
  if (fresh.length === 0) return { applied: 0, skipped: events.length, lastOccurredAt: undefined };
  const state = await loadViewState(trx, fresh, streams);
  const changes = foldEvents(state, events);
  await writeViewChanges(trx, changes);
  return {
    applied: changes.applied,
    skipped: changes.skipped,
    lastOccurredAt: changes.lastOccurredAt,
  };
}
