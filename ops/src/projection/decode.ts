import type { RecordedEvent } from '@bank/event-store';
import { toProjectionEvent, type ProjectionEvent, type RawEvent } from '@bank/read-models';
import { CommandFailedError } from '../cli/exit-codes.js';

/** Decodes a page for the projection; an event it cannot use stops the command, named. */
export function toProjectionBatch(events: readonly RecordedEvent[]): ProjectionEvent[] {
  return events.map(decodeForProjection);
}

/** Decodes one stored event for the projection; one it cannot use stops the command, named. */
export function decodeForProjection(event: RawEvent): ProjectionEvent {
  try {
    return toProjectionEvent(event);
  } catch (error) {
    throw new CommandFailedError(
      `event ${event.eventId} (${event.type} at position ${event.position} on ${event.streamId}) cannot be projected: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
