import type { RecordedEvent } from '@bank/event-store';
import type { Message } from 'kafkajs';
import { toEventRecord } from '../events/event-record.js';

/**
 * The Kafka message of one event, as the projector's relay writes it: key = stream id (one
 * partition per stream keeps its order), value = the event record as JSON (the same shape as a
 * `bank replay` NDJSON line), headers naming the event so tools can route without parsing.
 */
export function toEventMessage(event: RecordedEvent): Message {
  const headers: Record<string, string> = {
    'event-id': event.eventId,
    'event-type': event.type,
    'stream-id': event.streamId,
    'stream-revision': event.revision.toString(),
    position: event.position.toString(),
  };
  const { correlationId, schemaVersion } = event.metadata;
  if (typeof correlationId === 'string') headers['correlation-id'] = correlationId;
  if (typeof schemaVersion === 'number') headers['schema-version'] = String(schemaVersion);
  return { key: event.streamId, value: JSON.stringify(toEventRecord(event)), headers };
}

/** Message headers as strings (kafkajs gives Buffers, arrays or undefined). */
export function headersAsText(headers: Message['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    out[name] = values.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))).join(',');
  }
  return out;
}
