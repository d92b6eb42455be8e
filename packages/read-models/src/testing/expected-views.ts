import { ImpliedViews } from '../implied-views.js';
import type { RawEvent } from '../projection/projection-event.js';

/** What the views must show for a set of stored events: the views they imply, in full. */
export type ExpectedViews = ImpliedViews;

/** Folds the events (in position order) into the expected views; refuses an undecodable one. */
export function expectedViews(stored: readonly RawEvent[]): ExpectedViews {
  const views = new ImpliedViews({ detail: true });
  const sorted = [...stored].sort((a, b) => (a.position < b.position ? -1 : 1));
  for (const s of sorted) views.apply(s);
  const bad = views.undecodable[0];
  if (bad) throw new Error(`${bad.eventId} on ${bad.streamId}: ${bad.error}`);
  return views;
}
