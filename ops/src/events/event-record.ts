import type { JsonObject, RecordedEvent } from '@bank/event-store';

/**
 * A recorded event as JSON: one NDJSON line of `bank replay`, and the value of a Kafka message.
 * Positions and revisions are strings (int64 never passes through a JS number).
 */
export interface EventRecord {
  readonly position: string;
  readonly streamId: string;
  readonly revision: string;
  readonly eventId: string;
  readonly type: string;
  readonly recordedAt: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

export function toEventRecord(event: RecordedEvent): EventRecord {
  return {
    position: event.position.toString(),
    streamId: event.streamId,
    revision: event.revision.toString(),
    eventId: event.eventId,
    type: event.type,
    recordedAt: event.recordedAt.toISOString(),
    data: event.data,
    metadata: event.metadata,
  };
}
