import { createHash } from 'node:crypto';
import { tupleUuid } from '@bank/platform';

/** The namespace of command ids: it holds tuple names (principal, Idempotency-Key) only. */
const COMMAND_ID_NAMESPACE = 'c61e0f4a-8b2d-4f97-a3c5-1d8e7b6a9f02';

/**
 * The command id of a POST: derived from who sent it and their key, never random, so a retry
 * through any gateway is the same command upstream. The
 * pair is encoded as a tuple: principals and keys may contain any character, and no two pairs
 * may name the same command.
 */
export const commandIdFor = (principalId: string, idempotencyKey: string): string =>
  tupleUuid(COMMAND_ID_NAMESPACE, [principalId, idempotencyKey]);

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
