import type { queryTypes } from '@bank/proto';
import { validationError } from '@bank/platform';
import { LEDGER_ENTRY_TYPES, type LedgerEntryType } from '@bank/read-models';
import { parseRfc3339 } from '../shared/time.js';
import { requireUuid } from '../shared/validation.js';
import { decodeCursor } from './cursor.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface TransactionPageRequest {
  readonly accountId: string;
  readonly limit: number;
  /** Continue strictly below this revision (from the cursor). */
  readonly beforeRevision: bigint | undefined;
  /** RFC 3339, inclusive. */
  readonly from: string | undefined;
  /** RFC 3339, exclusive. */
  readonly to: string | undefined;
  readonly types: readonly LedgerEntryType[];
}

export function parseTransactionPageRequest(
  request: queryTypes.ListTransactionsRequest__Output,
): TransactionPageRequest {
  const accountId = requireUuid(request.accountId, 'account_id');
  const limit = request.limit === 0 ? DEFAULT_PAGE_SIZE : request.limit;
  if (limit > MAX_PAGE_SIZE)
    throw validationError(`limit must be between 1 and ${MAX_PAGE_SIZE}`, 'limit');
  const from = optionalInstant(request.from, 'from');
  const to = optionalInstant(request.to, 'to');
  if (from && to && from.ms > to.ms) throw validationError('from must not be after to', 'from');
  return {
    accountId,
    limit,
    beforeRevision: request.cursor === '' ? undefined : decodeCursor(request.cursor),
    from: from?.text,
    to: to?.text,
    types: parseTypes(request.types),
  };
}

function optionalInstant(value: string, field: string) {
  if (value === '') return undefined;
  const instant = parseRfc3339(value);
  if (!instant)
    throw validationError(
      `${field} must be an RFC 3339 timestamp such as 2024-05-01T00:00:00Z`,
      field,
    );
  return instant;
}

function parseTypes(types: readonly string[]): LedgerEntryType[] {
  const known: readonly string[] = LEDGER_ENTRY_TYPES;
  for (const type of types) {
    if (!known.includes(type)) {
      throw validationError(
        `types must be among ${LEDGER_ENTRY_TYPES.join(', ')}; got ${JSON.stringify(type)}`,
        'types',
      );
    }
  }
  return [...new Set(types)] as LedgerEntryType[];
}
