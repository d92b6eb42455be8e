import { createHash } from 'node:crypto';

/**
 * The gateway's documented command id for a POST: the RFC 9562 version-5 UUID of
 * `${sub}:${Idempotency-Key}` in its namespace. Computed here from the RFC, not imported, so the
 * checker shares no code with the services.
 */
const GATEWAY_COMMAND_NAMESPACE = '5b0f6c3e-2f1a-4d8e-9c57-3a1e0b6d4f21';

export function gatewayCommandId(sub: string, key: string): string {
  const namespace = Buffer.from(GATEWAY_COMMAND_NAMESPACE.replaceAll('-', ''), 'hex');
  const bytes = createHash('sha1')
    .update(namespace)
    .update(`${sub}:${key}`, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
