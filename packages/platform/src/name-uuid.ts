import { createHash } from 'node:crypto';

/**
 * A name-based UUID (RFC 9562 version 5: SHA-1 of the namespace's 16 bytes and the name's
 * UTF-8 bytes). The same name in the same namespace always gives the same id.
 */
export function nameUuid(namespace: string, name: string | Uint8Array): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The unambiguous name of a tuple of strings: each part as its UTF-8 byte length in decimal,
 * a colon, and its bytes (a netstring without the trailing comma). Decoding reads a length, then
 * exactly that many bytes, so two different tuples never share a name, whatever characters the
 * parts contain.
 */
export function tupleName(parts: readonly string[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const bytes = Buffer.from(part, 'utf8');
      return [Buffer.from(`${bytes.length}:`, 'ascii'), bytes];
    }),
  );
}

/**
 * The name-based UUID of a tuple: the one way to derive an id from several strings, any of
 * them user input (a principal and an Idempotency-Key, a command id and a stream). Joining the
 * parts with a separator is ambiguous as soon as a part may contain it. A namespace holds tuple
 * names only, so no name of another form can collide with them.
 */
export const tupleUuid = (namespace: string, parts: readonly string[]): string =>
  nameUuid(namespace, tupleName(parts));
