import type { queryTypes } from '@bank/proto';
import type { UnaryHandler } from '@bank/platform';
import type { StoredAccountRow } from '@bank/read-models';
import type { QueryDeps } from '../query-deps.js';
import { parseReadOptions } from '../shared/read-options.js';
import { readSnapshot } from '../shared/read-snapshot.js';
import { requireOwnerId } from '../shared/validation.js';
import { accountsByOwnerQuery } from './account-queries.js';
import { toAccountMessage } from './account-row.js';

export function listAccounts(
  deps: QueryDeps,
): UnaryHandler<queryTypes.ListAccountsRequest__Output, queryTypes.ListAccountsReply> {
  return async (request, context) => {
    const options = parseReadOptions(request.options);
    // A restricted caller (a customer) may leave owner_id out: it means "mine".
    const ownerId = requireOwnerId(request.ownerId || (options.restrictToOwner ?? ''), 'owner_id');
    await deps.consistency.awaitPosition(options.consistencyPosition, context);
    // Asking for someone else's accounts under a restriction reads as "they have none".
    if (options.restrictToOwner !== undefined && options.restrictToOwner !== ownerId)
      return { accounts: [] };
    const rows = await readSnapshot(
      deps.knex,
      context.deadline,
      async (db) => (await accountsByOwnerQuery(db, ownerId)) as StoredAccountRow[],
    );
    return { accounts: rows.map(toAccountMessage) };
  };
}
