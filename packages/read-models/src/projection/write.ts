import type { Knex } from 'knex';
import type { ViewChanges } from './fold.js';
import { runStatements, toJsonParam, type SqlStatement } from './sql-json.js';

/**
 * A view table as the write sees it: its columns (name and type, in the order of the row the
 * fold built), its conflict key and the columns an upsert overwrites (none: insert only).
 */
interface TableWrite {
  readonly table: string;
  readonly columns: readonly string[];
  readonly conflict?: string;
  /** Comma-separated. */
  readonly update?: string;
}

const ACCOUNTS: TableWrite = {
  table: 'accounts',
  columns: [
    'account_id uuid',
    'owner_id text',
    'currency text',
    'type text',
    'status text',
    'balance bigint',
    'held bigint',
    'overdraft_limit bigint',
    'available bigint',
    'revision bigint',
    'last_position bigint',
    'opened_at timestamptz',
    'updated_at timestamptz',
  ],
  conflict: 'account_id',
  update: 'status, balance, held, overdraft_limit, available, revision, last_position, updated_at',
};

const LEDGER_ENTRIES: TableWrite = {
  table: 'ledger_entries',
  columns: [
    'account_id uuid',
    'revision bigint',
    'event_id uuid',
    'position bigint',
    'type text',
    'amount bigint',
    'balance_after bigint',
    'currency text',
    'counterparty_account_id uuid',
    'transfer_id uuid',
    'hold_id uuid',
    'occurred_at timestamptz',
  ],
};

const HOLDS: TableWrite = {
  table: 'holds',
  columns: [
    'account_id uuid',
    'hold_id uuid',
    'amount bigint',
    'captured_amount bigint',
    'status text',
    'expires_at timestamptz',
    'placed_at timestamptz',
    'updated_at timestamptz',
  ],
  conflict: 'account_id, hold_id',
  update: 'captured_amount, status, updated_at',
};

const TRANSFERS: TableWrite = {
  table: 'transfers',
  columns: [
    'transfer_id uuid',
    'from_account_id uuid',
    'to_account_id uuid',
    'amount bigint',
    'currency text',
    'reference text',
    'status text',
    'failure_reason text',
    'batch_id uuid',
    'batch_index integer',
    'batch_mode text',
    'reversal_of uuid',
    'reversed_amount bigint',
    'revision bigint',
    'requested_at timestamptz',
    'updated_at timestamptz',
  ],
  conflict: 'transfer_id',
  update: 'status, failure_reason, reversed_amount, revision, updated_at',
};

const TRANSFER_STATUS_HISTORY: TableWrite = {
  table: 'transfer_status_history',
  columns: ['transfer_id uuid', 'revision bigint', 'status text', 'reason text', 'at timestamptz'],
};

const DAILY_BALANCES: TableWrite = {
  table: 'daily_balances',
  columns: [
    'account_id uuid',
    'day date',
    'opening_balance bigint',
    'closing_balance bigint',
    'total_in numeric',
    'total_out numeric',
  ],
  conflict: 'account_id, day',
  update: 'closing_balance, total_in, total_out',
};

/** One multi-row statement: the rows travel as one JSON parameter, picked by column name. */
function insertStatement(write: TableWrite, rows: readonly unknown[]): SqlStatement {
  const names = write.columns.map((column) => column.split(' ')[0]).join(', ');
  const upsert =
    write.conflict === undefined
      ? ''
      : `\n     ON CONFLICT (${write.conflict}) DO UPDATE SET ${(write.update ?? '')
          .split(', ')
          .map((column) => `${column} = EXCLUDED.${column}`)
          .join(', ')}`;
  return {
    sql: `INSERT INTO ${write.table} (${names})
     SELECT ${names} FROM jsonb_to_recordset(?::jsonb) AS r(${write.columns.join(', ')})${upsert}`,
    bindings: [toJsonParam(rows)],
  };
}

/**
 * What a fold changed, as one multi-row statement per table that has rows. Changed rows are
 * upserted whole (the fold copied each from its loaded state); ledger entries and status history
 * are only ever inserted, and a conflict there is a bug worth failing loudly on. The stream
 * checkpoints move last.
 */
export function viewChangeStatements(changes: ViewChanges): SqlStatement[] {
  const tables: Array<[TableWrite, readonly unknown[]]> = [
    [ACCOUNTS, [...changes.accounts.values()]],
    [LEDGER_ENTRIES, changes.ledgerEntries],
    [HOLDS, [...changes.holds.values()]],
    [TRANSFERS, [...changes.transfers.values()]],
    [TRANSFER_STATUS_HISTORY, changes.transferHistory],
    [DAILY_BALANCES, [...changes.daily.values()]],
  ];
  const statements = tables.flatMap(([write, rows]) =>
    rows.length > 0 ? [insertStatement(write, rows)] : [],
  );
  if (changes.streams.size > 0) {
    statements.push({
      sql: `UPDATE stream_checkpoints s SET revision = r.revision
       FROM jsonb_to_recordset(?::jsonb) AS r(stream_id text, revision bigint)
      WHERE s.stream_id = r.stream_id`,
      bindings: [
        toJsonParam([...changes.streams].map(([stream_id, revision]) => ({ stream_id, revision }))),
      ],
    });
  }
  return statements;
}

/** Writes what a fold changed inside the caller's transaction (see viewChangeStatements). */
export async function writeViewChanges(trx: Knex.Transaction, changes: ViewChanges): Promise<void> {
  await runStatements(trx, viewChangeStatements(changes));
}
