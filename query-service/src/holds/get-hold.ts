import type { queryTypes } from '@bank/proto';
import { notFoundError, type UnaryHandler } from '@bank/platform';
import { loadVisibleAccount } from '../accounts/account-queries.js';
import type { QueryDeps } from '../query-deps.js';
import { parseReadOptions } from '../shared/read-options.js';
import { readSnapshot } from '../shared/read-snapshot.js';
import { requireUuid } from '../shared/validation.js';
import { toHoldMessage } from './hold-message.js';
import { holdByIdQuery, type HoldRow } from './hold-queries.js';

export function getHold(
  deps: QueryDeps,
): UnaryHandler<queryTypes.GetHoldRequest__Output, queryTypes.Hold> {
  return async (request, context) => {
    const options = parseReadOptions(request.options);
    const accountId = requireUuid(request.accountId, 'account_id');
    const holdId = requireUuid(request.holdId, 'hold_id');
    await deps.consistency.awaitPosition(options.consistencyPosition, context);
    const row = await readSnapshot(deps.knex, context.deadline, async (db) => {
      await loadVisibleAccount(db, accountId, options.restrictToOwner);
      return ((await holdByIdQuery(db, accountId, holdId)) as HoldRow[])[0];
    });
    if (!row) throw notFoundError('hold not found');
    return toHoldMessage(row);
  };
}
