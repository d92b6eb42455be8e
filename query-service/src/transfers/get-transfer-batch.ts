import { batchStatusOf } from '@bank/domain';
import type { queryTypes } from '@bank/proto';
import { notFoundError, type UnaryHandler } from '@bank/platform';
import type { QueryDeps } from '../query-deps.js';
import { parseReadOptions, visibleTo } from '../shared/read-options.js';
import { readSnapshot } from '../shared/read-snapshot.js';
import { requireUuid } from '../shared/validation.js';
import { accountOwnersQuery, batchLegsQuery, type BatchLegRow } from './transfer-queries.js';

/**
 * A transfer batch as its legs show it (each leg is a transfer carrying the batch id, its place
 * and the batch's mode). Visible to the owner of a party of any leg, to staff always; to anyone
 * else, and for a batch with no leg, it does not exist.
 */
export function getTransferBatch(
  deps: QueryDeps,
): UnaryHandler<queryTypes.GetTransferBatchRequest__Output, queryTypes.TransferBatch> {
  return async (request, context) => {
    const options = parseReadOptions(request.options);
    const batchId = requireUuid(request.batchId, 'batch_id');
    await deps.consistency.awaitPosition(options.consistencyPosition, context);
    const { legs, owners } = await readSnapshot(deps.knex, context.deadline, async (db) => {
      const rows = (await batchLegsQuery(db, batchId)) as BatchLegRow[];
      if (rows.length === 0 || options.restrictToOwner === undefined)
        return { legs: rows, owners: [] };
      const accounts = [...new Set(rows.flatMap((r) => [r.from_account_id, r.to_account_id]))];
      const found = (await accountOwnersQuery(db, accounts)) as Array<{ owner_id: string }>;
      return { legs: rows, owners: found.map((row) => row.owner_id) };
    });
    const first = legs[0];
    if (!first || !visibleTo(options.restrictToOwner, ...owners))
      throw notFoundError('transfer batch not found');
    return {
      batchId,
      mode: first.batch_mode,
      // Legs are recorded final, all together: completed or failed.
      status: batchStatusOf(legs.map((leg) => leg.status)),
      transfers: legs.map((leg) => ({
        index: leg.batch_index,
        transferId: leg.transfer_id,
        status: leg.status,
        code: leg.status === 'failed' ? (leg.failure_reason ?? '') : '',
      })),
    };
  };
}
