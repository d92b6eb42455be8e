import type { RecordedEvent } from '@bank/event-store';
import { TRACEPARENT } from '@bank/platform';
import { Partitioners, type Message, type PartitionMetadata } from 'kafkajs';

/** The event-type header value of a watermark message. */
export const WATERMARK_TYPE = '$watermark';

/**
 * The header that makes an event message also its partition's watermark: "every event up to this
 * position has been written to this partition before me or is me". The relay puts it on the last
 * event of each partition in a batch, so only partitions without an event get a watermark message.
 */
export const WATERMARK_HEADER = 'watermark';

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
export function eventMessage(
  event: RecordedEvent,
  traceparent?: string,
  watermark?: bigint,
): Message {
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
  if (watermark !== undefined) headers[WATERMARK_HEADER] = watermark.toString();
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

/**
 * The partition of a stream's events: kafkajs' default partitioner (murmur2 of the key modulo the
 * partition count), computed here so the relay knows which partitions a batch reaches.
 */
export function partitionOf(streamId: string, partitions: number): number {
  return defaultPartitioner({
    topic: '',
    partitionMetadata: partitionMetadata(partitions),
    message: { key: streamId, value: null },
  });
}

const defaultPartitioner = Partitioners.DefaultPartitioner();
const metadataByCount = new Map<number, PartitionMetadata[]>();
function partitionMetadata(partitions: number): PartitionMetadata[] {
  let metadata = metadataByCount.get(partitions);
  if (!metadata) {
    metadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    metadataByCount.set(partitions, metadata);
  }
  return metadata;
}

/**
 * The messages of one relay batch, in position order, each event with an explicit partition (the
 * one its key hashes to). The batch's last position is every partition's new watermark: it rides
 * in a header on the partition's last event of the batch, and only partitions the batch does not
 * reach get a separate watermark message.
 */
export function batchMessages(
  batch: readonly RecordedEvent[],
  partitions: number,
  traceparents: ReadonlyArray<string | undefined> = [],
): Message[] {
  const last = batch.at(-1);
  if (!last) return [];
  const partitionOfEvent = batch.map((event) => partitionOf(event.streamId, partitions));
  const lastIndex = new Map<number, number>();
  partitionOfEvent.forEach((partition, index) => lastIndex.set(partition, index));
  const messages: Message[] = batch.map((event, index) => {
    const partition = partitionOfEvent[index] ?? 0;
    const watermark = lastIndex.get(partition) === index ? last.position : undefined;
    return { ...eventMessage(event, traceparents[index], watermark), partition };
  });
  for (let partition = 0; partition < partitions; partition += 1) {
    if (!lastIndex.has(partition)) messages.push(watermarkMessage(partition, last.position));
  }
  return messages;
}
