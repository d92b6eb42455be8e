import { createHash } from 'node:crypto';

/** The gateway's UUID namespace for command ids (RFC 9562 name-based, SHA-1). */
export const COMMAND_ID_NAMESPACE = '5b0f6c3e-2f1a-4d8e-9c57-3a1e0b6d4f21';

/** A version-5 UUID of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string = COMMAND_ID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The command id of a POST: derived from who sent it and their key, never random, so a retry
 * after a gateway crash (when the stored row is gone) is still the same command upstream.
 */
export const commandIdFor = (principalId: string, idempotencyKey: string): string =>
  uuidV5(`${principalId}:${idempotencyKey}`);

/** Identifies "the same request": method, path and body, the body independent of key order. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()}\n${path}\n${canonicalJson(body ?? {})}`)
    .digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
