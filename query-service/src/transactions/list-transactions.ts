import type { queryTypes } from '@bank/proto';
import { toBigInt, type UnaryHandler } from '@bank/platform';
import type { StoredLedgerEntryRow } from '@bank/read-models';
import { loadVisibleAccount } from '../accounts/account-queries.js';
import type { QueryDeps } from '../query-deps.js';
import { parseReadOptions } from '../shared/read-options.js';
import { readSnapshot } from '../shared/read-snapshot.js';
import { encodeCursor } from './cursor.js';
import { toLedgerEntryMessage } from './ledger-entry-row.js';
import { parseTransactionPageRequest } from './transaction-filter.js';
import { transactionsPageQuery } from './transaction-queries.js';

export function listTransactions(
  deps: QueryDeps,
): UnaryHandler<queryTypes.ListTransactionsRequest__Output, queryTypes.ListTransactionsReply> {
  return async (request, context) => {
    const options = parseReadOptions(request.options);
    const page = parseTransactionPageRequest(request);
    await deps.consistency.awaitPosition(options.consistencyPosition, context);
    const rows = await readSnapshot(deps.knex, context.deadline, async (db) => {
      // An unknown or foreign account is NOT_FOUND, never an empty list: no probing by id.
      await loadVisibleAccount(db, page.accountId, options.restrictToOwner);
      return (await transactionsPageQuery(db, page)) as StoredLedgerEntryRow[];
    });
    const entries = rows.slice(0, page.limit);
    const last = entries.at(-1);
    return {
      entries: entries.map(toLedgerEntryMessage),
      nextCursor: rows.length > page.limit && last ? encodeCursor(toBigInt(last.revision)) : '',
    };
  };
}
