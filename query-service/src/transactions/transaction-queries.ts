import type { Knex } from 'knex';
import { LEDGER_ENTRY_COLUMNS } from '@bank/read-models';
import type { Reader } from '../shared/read-snapshot.js';
import type { TransactionPageRequest } from './transaction-filter.js';

/**
 * One page of an account's entries, newest first, by keyset (never OFFSET): the primary key
 * (account_id, revision) serves the order and the cursor bound; ledger_entries_type_idx serves a
 * type filter, ledger_entries_time_idx a time range. One row more than asked tells whether
 * another page exists.
 */
export function transactionsPageQuery(db: Reader, page: TransactionPageRequest): Knex.QueryBuilder {
  const query = db('ledger_entries')
    .select(LEDGER_ENTRY_COLUMNS)
    .where('account_id', page.accountId);
  if (page.beforeRevision !== undefined)
    query.where('revision', '<', page.beforeRevision.toString());
  if (page.from !== undefined) query.where('occurred_at', '>=', page.from);
  if (page.to !== undefined) query.where('occurred_at', '<', page.to);
  if (page.types.length > 0) query.whereIn('type', page.types);
  return query.orderBy('revision', 'desc').limit(page.limit + 1);
}
