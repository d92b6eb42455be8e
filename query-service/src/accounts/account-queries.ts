import type { Knex } from 'knex';
import { notFoundError } from '@bank/platform';
import { ACCOUNT_COLUMNS, type StoredAccountRow } from '@bank/read-models';
import type { Reader } from '../shared/read-snapshot.js';
import { visibleTo } from '../shared/read-options.js';

// Query builders are exported on their own so that the index test EXPLAINs the exact SQL the
// service runs.

/** Primary key lookup. */
export function accountByIdQuery(db: Reader, accountId: string): Knex.QueryBuilder {
  return db('accounts').select(ACCOUNT_COLUMNS).where('account_id', accountId);
}

/** accounts_owner_idx (owner_id, opened_at, account_id): oldest account first. */
export function accountsByOwnerQuery(db: Reader, ownerId: string): Knex.QueryBuilder {
  return db('accounts')
    .select(ACCOUNT_COLUMNS)
    .where('owner_id', ownerId)
    .orderBy([
      { column: 'opened_at', order: 'asc' },
      { column: 'account_id', order: 'asc' },
    ]);
}

/**
 * The account a query is about, or NOT_FOUND when it is missing or (with an owner restriction)
 * someone else's: both answers are identical so that a customer cannot probe for ids.
 */
export async function loadVisibleAccount(
  db: Reader,
  accountId: string,
  restrictToOwner: string | undefined,
): Promise<StoredAccountRow> {
  const rows = (await accountByIdQuery(db, accountId)) as StoredAccountRow[];
  const row = rows[0];
  if (!row || !visibleTo(restrictToOwner, row.owner_id)) throw notFoundError('account not found');
  return row;
}
