import type { EventFilter, EventStore, RecordedEvent } from '@bank/event-store';

/** Which events to read: a position range, a time range (recordedAt), and store-side filters. */
export interface EventRange {
  /** Inclusive. */
  readonly fromPosition?: bigint | undefined;
  /** Inclusive. */
  readonly toPosition?: bigint | undefined;
  /** Inclusive, on recordedAt. */
  readonly since?: Date | undefined;
  /** Inclusive, on recordedAt. */
  readonly until?: Date | undefined;
  /** Exact stream ids. */
  readonly streams?: readonly string[] | undefined;
  readonly streamPrefixes?: readonly string[] | undefined;
  readonly types?: readonly string[] | undefined;
}

/**
 * recordedAt is the append transaction's start, and appends commit in position order under the
 * store's append lock, so recordedAt grows with position only up to the length of an append
 * transaction. Time bounds are applied to each event exactly; this slack only decides where the
 * scan may start and stop.
 */
export const CLOCK_SLACK_MS = 60_000;

/**
 * Reads the range page by page (constant memory whatever its size) and yields each page. The
 * upper bound is fixed when reading starts: events appended later are not part of the replay.
 */
export async function* readEventPages(
  store: EventStore,
  range: EventRange,
  batchSize: number,
): AsyncGenerator<RecordedEvent[]> {
  const bounds = await positionBounds(store, range);
  const upTo = bounds.upTo;
  let after = bounds.after;
  const filter = storeFilter(range);
  const matchesStream = streamMatcher(range);
  const since = range.since?.getTime();
  const until = range.until?.getTime();
  while (after < upTo) {
    const page = await store.readAll({ after, upTo, maxCount: batchSize, filter });
    if (page.length === 0) return;
    after = page[page.length - 1]?.position ?? upTo;
    let pastUntil = false;
    const kept = page.filter((event) => {
      const at = event.recordedAt.getTime();
      if (until !== undefined && at > until + CLOCK_SLACK_MS) pastUntil = true;
      if (!matchesStream(event.streamId)) return false;
      if (since !== undefined && at < since) return false;
      if (until !== undefined && at > until) return false;
      return true;
    });
    if (kept.length > 0) yield kept;
    if (pastUntil || page.length < batchSize) return;
  }
}

/**
 * The positions a range can match, as (after, upTo]: the head when reading starts (or the range's
 * end, if lower), and the start narrowed by a binary search for `since` (minus the clock slack).
 */
export async function positionBounds(
  store: EventStore,
  range: EventRange,
): Promise<{ after: bigint; upTo: bigint }> {
  const head = await store.headPosition();
  const upTo = range.toPosition !== undefined && range.toPosition < head ? range.toPosition : head;
  let after =
    range.fromPosition !== undefined && range.fromPosition > 0n ? range.fromPosition - 1n : 0n;
  if (range.since) {
    const start = await firstPositionAtOrAfter(
      store,
      new Date(range.since.getTime() - CLOCK_SLACK_MS),
      upTo,
    );
    if (start - 1n > after) after = start - 1n;
  }
  return { after, upTo };
}

/**
 * The last position a range with `until` can match: every later event was recorded more than
 * the clock slack after it (the same rule that lets a paged read stop past `until`).
 */
export async function lastPositionUntil(
  store: EventStore,
  until: Date,
  upTo: bigint,
): Promise<bigint> {
  const past = await firstPositionAtOrAfter(
    store,
    new Date(until.getTime() + CLOCK_SLACK_MS + 1),
    upTo,
  );
  return past - 1n < upTo ? past - 1n : upTo;
}

/** Exact streams become prefixes for the store (it filters by prefix); the exact match is ours. */
function storeFilter(range: EventRange): EventFilter | undefined {
  const prefixes = [...(range.streamPrefixes ?? []), ...(range.streams ?? [])];
  if (prefixes.length === 0 && !range.types?.length) return undefined;
  return { streamPrefixes: prefixes, eventTypes: range.types };
}

/** `--stream` and `--stream-prefix` add up: an event matches one exact stream or one prefix. */
function streamMatcher(range: EventRange): (streamId: string) => boolean {
  const exact = new Set(range.streams ?? []);
  const prefixes = range.streamPrefixes ?? [];
  if (exact.size === 0) return () => true;
  return (streamId) =>
    exact.has(streamId) || prefixes.some((prefix) => streamId.startsWith(prefix));
}

/** Binary search over positions for the first event recorded at or after `at`. */
async function firstPositionAtOrAfter(store: EventStore, at: Date, head: bigint): Promise<bigint> {
  let low = 0n;
  let high = head + 1n;
  while (low < high) {
    const mid = (low + high) / 2n;
    const [event] = await store.readAll({ after: mid, maxCount: 1 });
    if (!event) {
      high = mid;
      continue;
    }
    if (event.recordedAt.getTime() < at.getTime()) low = event.position;
    else high = mid;
  }
  return low + 1n;
}
