import { validationError } from '@bank/platform';

/**
 * Page cursors: base64url of a version byte and the key of the last row returned. The version
 * byte lets a format change later without misreading cursors held by clients; anything this
 * service did not issue is INVALID_ARGUMENT.
 */
const CURSOR_VERSION = 1;

export function encodeKeyset(key: Buffer): string {
  return Buffer.concat([Buffer.from([CURSOR_VERSION]), key]).toString('base64url');
}

/** The key bytes of a cursor that must carry exactly `keyBytes` of them. */
export function decodeKeyset(cursor: string, keyBytes: number): Buffer {
  const invalid = () => validationError('cursor is not valid', 'cursor');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) throw invalid();
  const bytes = Buffer.from(cursor, 'base64url');
  // Re-encoding must give the same text: rejects stray bits and odd lengths Buffer tolerates.
  if (bytes.length !== keyBytes + 1 || bytes.toString('base64url') !== cursor) throw invalid();
  if (bytes.readUInt8(0) !== CURSOR_VERSION) throw invalid();
  return bytes.subarray(1);
}
