import { toProjectionEvent, type ProjectionEvent } from '@bank/read-models';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { WATERMARK_HEADER, WATERMARK_TYPE } from '../relay/messages.js';

export type DecodedMessage =
  | { readonly kind: 'watermark'; readonly position: bigint }
  | {
      readonly kind: 'event';
      readonly event: ProjectionEvent;
      /** Set on a relay batch's last event of the partition: the partition's new watermark. */
      readonly watermark?: bigint;
    }
  | {
      readonly kind: 'poison';
      readonly error: Error;
      /** The watermark header, if the message had one: it holds even when the event is unusable. */
      readonly watermark?: bigint;
    };

const INTEGER = /^[0-9]+$/;

/** Reads a message of the events topic; anything unusable is `poison`, never an exception. */
export function decodeMessage(message: KafkaMessage): DecodedMessage {
  // The header is the relay's, not the event's: read on its own, so it counts even for poison. A
  // malformed one only costs the watermark (a later one moves it), never the event.
  const header = headerOf(message.headers, WATERMARK_HEADER);
  const watermark = header !== undefined && INTEGER.test(header) ? BigInt(header) : undefined;
  try {
    const value: unknown = JSON.parse(message.value?.toString('utf8') ?? 'null');
    if (headerOf(message.headers, 'event-type') === WATERMARK_TYPE) {
      const position = field(value, 'position');
      if (!INTEGER.test(position)) throw new Error('watermark position is not an integer');
      return { kind: 'watermark', position: BigInt(position) };
    }
    const revision = field(value, 'revision');
    const position = field(value, 'position');
    if (!INTEGER.test(revision) || !INTEGER.test(position))
      throw new Error('revision or position is not an integer');
    const event = toProjectionEvent({
      streamId: field(value, 'streamId'),
      revision: BigInt(revision),
      position: BigInt(position),
      eventId: field(value, 'eventId'),
      type: field(value, 'type'),
      data: (value as Record<string, unknown>)['data'],
      metadata: (value as Record<string, unknown>)['metadata'],
      recordedAt: field(value, 'recordedAt'),
    });
    return watermark === undefined ? { kind: 'event', event } : { kind: 'event', event, watermark };
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    return watermark === undefined
      ? { kind: 'poison', error: cause }
      : { kind: 'poison', error: cause, watermark };
  }
}

export function headerOf(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

function field(value: unknown, name: string): string {
  if (typeof value !== 'object' || value === null)
    throw new Error('message value is not a JSON object');
  const found = (value as Record<string, unknown>)[name];
  if (typeof found !== 'string') throw new Error(`message value has no string ${name}`);
  return found;
}
