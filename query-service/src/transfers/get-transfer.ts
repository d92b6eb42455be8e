import type { queryTypes } from '@bank/proto';
import { notFoundError, type UnaryHandler } from '@bank/platform';
import type { QueryDeps } from '../query-deps.js';
import { currencyOf, formatMinor } from '../shared/money.js';
import { parseReadOptions, visibleTo } from '../shared/read-options.js';
import { readSnapshot } from '../shared/read-snapshot.js';
import { isoTimestamp } from '../shared/time.js';
import { requireUuid } from '../shared/validation.js';
import {
  transferByIdQuery,
  transferHistoryQuery,
  type TransferRow,
  type TransferStatusRow,
} from './transfer-queries.js';

export function getTransfer(
  deps: QueryDeps,
): UnaryHandler<queryTypes.GetTransferRequest__Output, queryTypes.Transfer> {
  return async (request, context) => {
    const options = parseReadOptions(request.options);
    const transferId = requireUuid(request.transferId, 'transfer_id');
    await deps.consistency.awaitPosition(options.consistencyPosition, context);
    const { transfer, history } = await readSnapshot(deps.knex, context.deadline, async (db) => {
      const rows = (await transferByIdQuery(db, transferId)) as TransferRow[];
      const row = rows[0];
      // Visible to the owner of either party; to anyone else it does not exist.
      if (!row || !visibleTo(options.restrictToOwner, row.from_owner_id, row.to_owner_id)) {
        throw notFoundError('transfer not found');
      }
      return {
        transfer: row,
        history: (await transferHistoryQuery(db, transferId)) as TransferStatusRow[],
      };
    });
    return toTransferMessage(transfer, history);
  };
}

function toTransferMessage(
  row: TransferRow,
  history: readonly TransferStatusRow[],
): queryTypes.Transfer {
  const currency = currencyOf(row.currency);
  return {
    transferId: row.transfer_id,
    fromAccountId: row.from_account_id,
    toAccountId: row.to_account_id,
    amount: formatMinor(row.amount, currency),
    currency,
    reference: row.reference,
    status: row.status,
    failureReason: row.failure_reason ?? '',
    batchId: row.batch_id ?? '',
    reversalOf: row.reversal_of ?? '',
    reversedAmount: formatMinor(row.reversed_amount, currency),
    history: history.map((change) => ({
      status: change.status,
      at: isoTimestamp(change.at),
      reason: change.reason ?? '',
    })),
    requestedAt: isoTimestamp(row.requested_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}
