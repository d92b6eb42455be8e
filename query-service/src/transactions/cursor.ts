import { MAX_INT64, validationError } from '@bank/platform';

/**
 * The ListTransactions page cursor: base64url of a version byte and the stream revision of the
 * last entry returned (8 bytes, big-endian). Pages go newest first and continue strictly below
 * that revision; entries added meanwhile get higher revisions, so a walk neither repeats nor
 * skips an entry that existed when it began. The version byte lets the format change later
 * without misreading cursors held by clients.
 */
const CURSOR_VERSION = 1;
const CURSOR_BYTES = 9;

export function encodeCursor(lastRevision: bigint): string {
  const bytes = Buffer.alloc(CURSOR_BYTES);
  bytes.writeUInt8(CURSOR_VERSION, 0);
  bytes.writeBigUInt64BE(lastRevision, 1);
  return bytes.toString('base64url');
}

/** The revision a cursor continues below; INVALID_ARGUMENT for anything this service did not issue. */
export function decodeCursor(cursor: string): bigint {
  const invalid = () => validationError('cursor is not valid', 'cursor');
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(cursor)) throw invalid();
  const bytes = Buffer.from(cursor, 'base64url');
  // Re-encoding must give the same text: rejects stray bits and odd lengths Buffer tolerates.
  if (bytes.length !== CURSOR_BYTES || bytes.toString('base64url') !== cursor) throw invalid();
  if (bytes.readUInt8(0) !== CURSOR_VERSION) throw invalid();
  const revision = bytes.readBigUInt64BE(1);
  if (revision > MAX_INT64) throw invalid();
  return revision;
}
