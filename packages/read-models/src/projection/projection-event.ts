import {
  accountStream,
  CURRENT_SCHEMA_VERSION,
  decodeEvent,
  EventDecodeError,
  transferStream,
  type BankEvent,
} from '@bank/domain';

/** What the projection needs of a stored event, decoded: the event store's RecordedEvent, typed. */
export interface ProjectionEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly eventId: string;
  readonly event: BankEvent;
  /** ISO-8601 instant the event happened (metadata.occurredAt): the views' business time. */
  readonly occurredAt: string;
  readonly correlationId: string | undefined;
}

/** A stored event as the event store or a Kafka message carries it, before decoding. */
export interface RawEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly recordedAt?: Date | string | undefined;
}

/**
 * Decodes (and upcasts) a stored event for the projection. Throws EventDecodeError for anything
 * the projection cannot use: unknown type, bad payload, no usable time, or an event on a stream
 * that is not its aggregate's (the projection locks per stream, so stream and aggregate must be
 * one to one).
 */
export function toProjectionEvent(raw: RawEvent): ProjectionEvent {
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  const schemaVersion = metadata['schemaVersion'] ?? CURRENT_SCHEMA_VERSION;
  if (typeof schemaVersion !== 'number') {
    throw new EventDecodeError(`${raw.type} has a non-numeric schema version`);
  }
  const event = decodeEvent(raw.type, raw.data, schemaVersion);
  const expectedStream =
    'accountId' in event.data
      ? accountStream(event.data.accountId)
      : transferStream(event.data.transferId);
  if (raw.streamId !== expectedStream) {
    throw new EventDecodeError(
      `${raw.type} on stream ${raw.streamId} belongs to ${expectedStream}`,
    );
  }
  if (raw.revision < 0n) throw new EventDecodeError(`${raw.type} has a negative revision`);
  const correlationId = metadata['correlationId'];
  return {
    streamId: raw.streamId,
    revision: raw.revision,
    position: raw.position,
    eventId: raw.eventId,
    event,
    occurredAt: occurredAtOf(metadata['occurredAt'], raw.recordedAt, raw.type),
    correlationId: typeof correlationId === 'string' ? correlationId : undefined,
  };
}

function occurredAtOf(
  occurredAt: unknown,
  recordedAt: Date | string | undefined,
  type: string,
): string {
  for (const candidate of [occurredAt, recordedAt]) {
    const ms =
      candidate instanceof Date
        ? candidate.getTime()
        : typeof candidate === 'string'
          ? Date.parse(candidate)
          : NaN;
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  throw new EventDecodeError(`${type} has no valid occurredAt`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
