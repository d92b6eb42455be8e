import type { Knex } from 'knex';
import {
  ACCOUNTS,
  advanceStreamsStatement,
  DAILY_BALANCES,
  HOLDS,
  insertStatement,
  LEDGER_ENTRIES,
  TRANSFER_STATUS_HISTORY,
  TRANSFERS,
  type Table,
} from '../tables/index.js';
import type { ViewChanges } from './fold.js';
import { runStatements, type SqlStatement } from './sql-json.js';

/**
 * What a fold changed, as one multi-row statement per table that has rows. Changed rows are
 * upserted whole (the fold copied each from its loaded state); ledger entries and status history
 * are only ever inserted, and a conflict there is a bug worth failing loudly on. The stream
 * checkpoints move last.
 */
export function viewChangeStatements(changes: ViewChanges): SqlStatement[] {
  const statements: SqlStatement[] = [];
  const write = <Row>(table: Table<Row>, rows: readonly Row[]): void => {
    if (rows.length > 0) statements.push(insertStatement(table, rows));
  };
  write(ACCOUNTS, [...changes.accounts.values()]);
  write(LEDGER_ENTRIES, changes.ledgerEntries);
  write(HOLDS, [...changes.holds.values()]);
  write(TRANSFERS, [...changes.transfers.values()]);
  write(TRANSFER_STATUS_HISTORY, changes.transferHistory);
  write(DAILY_BALANCES, [...changes.daily.values()]);
  if (changes.streams.size > 0) statements.push(advanceStreamsStatement(changes.streams));
  return statements;
}

/** Writes what a fold changed inside the caller's transaction (see viewChangeStatements). */
export async function writeViewChanges(trx: Knex.Transaction, changes: ViewChanges): Promise<void> {
  await runStatements(trx, viewChangeStatements(changes));
}
