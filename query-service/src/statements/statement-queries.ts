import type { Knex } from 'knex';
import { LEDGER_ENTRY_COLUMNS } from '@bank/read-models';
import type { Reader } from '../shared/read-snapshot.js';

/**
 * The last entry before the period: its balance_after opens the statement. Ordered exactly like
 * ledger_entries_time_idx (account_id, occurred_at, revision), so it is one backward index probe.
 */
export function openingEntryQuery(
  db: Reader,
  accountId: string,
  startsAt: string,
): Knex.QueryBuilder {
  return db('ledger_entries')
    .select('balance_after')
    .where('account_id', accountId)
    .where('occurred_at', '<', startsAt)
    .orderBy([
      { column: 'occurred_at', order: 'desc' },
      { column: 'revision', order: 'desc' },
    ])
    .limit(1);
}

/** The period's entries, oldest first, by ledger_entries_time_idx. */
export function statementEntriesQuery(
  db: Reader,
  accountId: string,
  startsAt: string,
  endsBefore: string,
): Knex.QueryBuilder {
  return db('ledger_entries')
    .select(LEDGER_ENTRY_COLUMNS)
    .where('account_id', accountId)
    .where('occurred_at', '>=', startsAt)
    .where('occurred_at', '<', endsBefore)
    .orderBy([
      { column: 'occurred_at', order: 'asc' },
      { column: 'revision', order: 'asc' },
    ]);
}
