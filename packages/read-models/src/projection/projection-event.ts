import {
  accountStream,
  decodeRecorded,
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
  const event = decodeRecorded(raw.type, raw.data, metadata);
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
  // What the command service writes is already canonical: no need to parse and print it again.
  if (typeof occurredAt === 'string' && isCanonicalInstant(occurredAt)) return occurredAt;
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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when `value` is exactly what `new Date(Date.parse(value)).toISOString()` would give back
 * (`YYYY-MM-DDTHH:mm:ss.sssZ`, a real calendar day and time of day), checked without building a
 * Date: the projection normalises every event's time, and parsing and printing each one was a
 * visible part of a rebuild's CPU.
 */
export function isCanonicalInstant(value: string): boolean {
  if (value.length !== 24) return false;
  // The separators one by one: this runs for every event, several times.
  if (
    value.charCodeAt(4) !== DASH ||
    value.charCodeAt(7) !== DASH ||
    value.charCodeAt(10) !== T ||
    value.charCodeAt(13) !== COLON ||
    value.charCodeAt(16) !== COLON ||
    value.charCodeAt(19) !== DOT ||
    value.charCodeAt(23) !== Z
  ) {
    return false;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (year < 0 || digits(value, 20, 3) < 0 || minute < 0 || minute > 59) return false;
  if (month < 1 || month > 12 || hour < 0 || hour > 23 || second < 0 || second > 59) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day >= 1 && day <= days;
}

/** Character codes of '-', 'T', ':', '.' and 'Z'. */
const [DASH, T, COLON, DOT, Z] = [0x2d, 0x54, 0x3a, 0x2e, 0x5a];

/** The decimal number of `length` ASCII digits at `start`, or -1 if any is not a digit. */
function digits(value: string, start: number, length: number): number {
  let result = 0;
  for (let i = start; i < start + length; i += 1) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    result = result * 10 + digit;
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
