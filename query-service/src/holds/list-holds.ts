import type { queryTypes } from '@bank/proto';
import { validationError, type UnaryHandler } from '@bank/platform';
import { HOLD_STATUSES, type HoldStatus } from '@bank/read-models';
import { loadVisibleAccount } from '../accounts/account-queries.js';
import type { QueryDeps } from '../query-deps.js';
import { decodeKeyset, encodeKeyset } from '../shared/keyset-cursor.js';
import { parseReadOptions } from '../shared/read-options.js';
import { readSnapshot } from '../shared/read-snapshot.js';
import { requireUuid } from '../shared/validation.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../transactions/transaction-filter.js';
import { toHoldMessage } from './hold-message.js';
import {
  holdsPageQuery,
  type HoldKey,
  type HoldPageRequest,
  type HoldRow,
} from './hold-queries.js';

export function listHolds(
  deps: QueryDeps,
): UnaryHandler<queryTypes.ListHoldsRequest__Output, queryTypes.ListHoldsReply> {
  return async (request, context) => {
    const options = parseReadOptions(request.options);
    const page = parseHoldPageRequest(request);
    await deps.consistency.awaitPosition(options.consistencyPosition, context);
    const rows = await readSnapshot(deps.knex, context.deadline, async (db) => {
      // An unknown or foreign account is NOT_FOUND, never an empty list: no probing by id.
      await loadVisibleAccount(db, page.accountId, options.restrictToOwner);
      return (await holdsPageQuery(db, page)) as HoldRow[];
    });
    const holds = rows.slice(0, page.limit);
    const last = holds.at(-1);
    return {
      holds: holds.map(toHoldMessage),
      nextCursor:
        rows.length > page.limit && last
          ? encodeHoldCursor({ placedMicros: BigInt(last.placed_micros), holdId: last.hold_id })
          : '',
    };
  };
}

function parseHoldPageRequest(request: queryTypes.ListHoldsRequest__Output): HoldPageRequest {
  const accountId = requireUuid(request.accountId, 'account_id');
  const limit = request.limit === 0 ? DEFAULT_PAGE_SIZE : request.limit;
  if (limit > MAX_PAGE_SIZE)
    throw validationError(`limit must be between 1 and ${MAX_PAGE_SIZE}`, 'limit');
  const known: readonly string[] = HOLD_STATUSES;
  for (const status of request.statuses) {
    if (!known.includes(status))
      throw validationError(
        `status must be among ${HOLD_STATUSES.join(', ')}; got ${JSON.stringify(status)}`,
        'status',
      );
  }
  return {
    accountId,
    limit,
    before: request.cursor === '' ? undefined : decodeHoldCursor(request.cursor),
    statuses: request.statuses as HoldStatus[],
  };
}

/** The last hold of a page: placed_at in microseconds (8 bytes) and its id (16 bytes). */
function encodeHoldCursor(key: HoldKey): string {
  const bytes = Buffer.alloc(24);
  bytes.writeBigInt64BE(key.placedMicros, 0);
  Buffer.from(key.holdId.replaceAll('-', ''), 'hex').copy(bytes, 8);
  return encodeKeyset(bytes);
}

function decodeHoldCursor(cursor: string): HoldKey {
  const bytes = decodeKeyset(cursor, 24);
  const hex = bytes.subarray(8).toString('hex');
  return {
    placedMicros: bytes.readBigInt64BE(0),
    holdId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
  };
}
