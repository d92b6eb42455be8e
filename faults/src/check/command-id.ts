import { createHash } from 'node:crypto';

/**
 * The gateway's documented command id for a POST: the RFC 9562 version-5 UUID, in its
 * namespace, of the tuple (sub, Idempotency-Key), each part written as its UTF-8 byte length in
 * decimal, a colon and its bytes. Computed here from the RFC and that rule, not imported, so the
 * checker shares no code with the services.
 */
const GATEWAY_COMMAND_NAMESPACE = 'c61e0f4a-8b2d-4f97-a3c5-1d8e7b6a9f02';

export function gatewayCommandId(sub: string, key: string): string {
  const namespace = Buffer.from(GATEWAY_COMMAND_NAMESPACE.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(namespace);
  for (const part of [sub, key]) {
    const bytes = Buffer.from(part, 'utf8');
    hash.update(`${bytes.length}:`, 'ascii').update(bytes);
  }
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
