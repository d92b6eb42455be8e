import type { RecordedEvent } from '@bank/event-store';
import { TRACEPARENT } from '@bank/platform';
import type { Message } from 'kafkajs';

/** The event-type header value of a watermark message. */
export const WATERMARK_TYPE = '$watermark';

/** The Kafka message value of an event: the RecordedEvent with bigints as strings. */
export interface EventMessageValue {
  readonly streamId: string;
  readonly revision: string;
  readonly position: string;
  readonly eventId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: string;
}

/**
 * One event as a Kafka message: keyed by stream id, so one stream stays in one partition, in order.
 * `traceparent` is the relay's publish span when tracing, else the one stored with the event.
 */
export function eventMessage(event: RecordedEvent, traceparent?: string): Message {
  const value: EventMessageValue = {
    streamId: event.streamId,
    revision: event.revision.toString(),
    position: event.position.toString(),
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
  };
  const headers: Record<string, string> = {
    'event-id': event.eventId,
    'event-type': event.type,
    'stream-id': event.streamId,
    'stream-revision': value.revision,
    position: value.position,
  };
  const { correlationId, causationId, schemaVersion } = event.metadata;
  if (typeof correlationId === 'string') headers['correlation-id'] = correlationId;
  if (typeof causationId === 'string') headers['causation-id'] = causationId;
  const stored = event.metadata[TRACEPARENT];
  const parent = traceparent ?? (typeof stored === 'string' ? stored : undefined);
  if (parent !== undefined) headers[TRACEPARENT] = parent;
  if (typeof schemaVersion === 'number') headers['schema-version'] = String(schemaVersion);
  return { key: event.streamId, value: JSON.stringify(value), headers };
}

/**
 * A watermark for one partition: "every event up to `position` has been written before me". Each
 * partition is ordered, so a consumer that applied this has applied all of the partition's events
 * at or below it; the views are consistent up to the minimum over the partitions.
 */
export function watermarkMessage(partition: number, position: bigint): Message {
  return {
    partition,
    key: null,
    value: JSON.stringify({ position: position.toString() }),
    headers: { 'event-type': WATERMARK_TYPE, position: position.toString() },
  };
}
