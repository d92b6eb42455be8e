import type { queryTypes } from '@bank/proto';
import type { UnaryHandler } from '@bank/platform';
import type { QueryDeps } from '../query-deps.js';
import { parseReadOptions } from '../shared/read-options.js';
import { readSnapshot } from '../shared/read-snapshot.js';
import { requireUuid } from '../shared/validation.js';
import { loadVisibleAccount } from './account-queries.js';
import { toAccountMessage } from './account-row.js';

export function getAccount(
  deps: QueryDeps,
): UnaryHandler<queryTypes.GetAccountRequest__Output, queryTypes.Account> {
  return async (request, context) => {
    const options = parseReadOptions(request.options);
    const accountId = requireUuid(request.accountId, 'account_id');
    await deps.consistency.awaitPosition(options.consistencyPosition, context);
    const row = await readSnapshot(deps.knex, context.deadline, (db) =>
      loadVisibleAccount(db, accountId, options.restrictToOwner),
    );
    return toAccountMessage(row);
  };
}
