import { createHash } from 'node:crypto';

/**
 * The namespace of every name-based id this service derives. Fixed forever: changing it would
 * give a retried command a different event id or stream than its first attempt.
 */
export const BANK_NAMESPACE = '0b7d6c0e-5f3a-4c59-9a53-2f1b8d4e6a10';

/**
 * A name-based UUID (RFC 9562 version 5: SHA-1 of namespace + name). The same name always
 * gives the same id, which is what makes retried commands land on the same stream and event ids.
 */
export function nameUuid(name: string, namespace: string = BANK_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the `index`-th event a command appends to a stream: a second guard (unique event id). */
export const eventIdFor = (commandId: string, streamId: string, index: number): string =>
  nameUuid(`${commandId}/${streamId}/${index}`);
