import { MAX_INT64, validationError } from '@bank/platform';
import { decodeKeyset, encodeKeyset } from '../shared/keyset-cursor.js';

/**
 * The ListTransactions page cursor: the stream revision of the last entry returned (8 bytes,
 * big-endian). Pages go newest first and continue strictly below that revision; entries added
 * meanwhile get higher revisions, so a walk neither repeats nor skips an entry that existed
 * when it began.
 */
export function encodeCursor(lastRevision: bigint): string {
  const key = Buffer.alloc(8);
  key.writeBigUInt64BE(lastRevision);
  return encodeKeyset(key);
}

/** The revision a cursor continues below; INVALID_ARGUMENT for anything this service did not issue. */
export function decodeCursor(cursor: string): bigint {
  const revision = decodeKeyset(cursor, 8).readBigUInt64BE(0);
  if (revision > MAX_INT64) throw validationError('cursor is not valid', 'cursor');
  return revision;
}
