import type { Knex } from 'knex';
import type { ViewChanges } from './fold.js';
import { toJsonParam } from './sql-json.js';

/**
 * Writes what a fold changed: one multi-row statement per table. Changed rows are upserted whole
 * (the fold copied each from its loaded state); ledger entries and status history are only ever
 * inserted, and a conflict there is a bug worth failing loudly on.
 */
export async function writeViewChanges(trx: Knex.Transaction, changes: ViewChanges): Promise<void> {
  // One statement at a time: a transaction is one connection, and pg (from v9) refuses overlapping queries.
  const statements: Array<[string, readonly unknown[]]> = [];
  const run = (sql: string, rows: readonly unknown[]): void => {
    if (rows.length > 0) statements.push([sql, rows]);
  };

  run(
    `INSERT INTO accounts (account_id, owner_id, currency, type, status, balance, held, overdraft_limit,
                           available, revision, last_position, opened_at, updated_at)
     SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(account_id uuid, owner_id text, currency text, type text,
       status text, balance bigint, held bigint, overdraft_limit bigint, available bigint, revision bigint,
       last_position bigint, opened_at timestamptz, updated_at timestamptz)
     ON CONFLICT (account_id) DO UPDATE SET
       status = EXCLUDED.status, balance = EXCLUDED.balance, held = EXCLUDED.held,
       overdraft_limit = EXCLUDED.overdraft_limit, available = EXCLUDED.available,
       revision = EXCLUDED.revision, last_position = EXCLUDED.last_position, updated_at = EXCLUDED.updated_at`,
    [...changes.accounts.values()],
  );
  run(
    `INSERT INTO ledger_entries (account_id, revision, event_id, position, type, amount, balance_after, currency,
                                 counterparty_account_id, transfer_id, hold_id, occurred_at)
     SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(account_id uuid, revision bigint, event_id uuid,
       position bigint, type text, amount bigint, balance_after bigint, currency text,
       counterparty_account_id uuid, transfer_id uuid, hold_id uuid, occurred_at timestamptz)`,
    changes.ledgerEntries,
  );
  run(
    `INSERT INTO holds (account_id, hold_id, amount, captured_amount, status, expires_at, placed_at, updated_at)
     SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(account_id uuid, hold_id uuid, amount bigint,
       captured_amount bigint, status text, expires_at timestamptz, placed_at timestamptz, updated_at timestamptz)
     ON CONFLICT (account_id, hold_id) DO UPDATE SET
       captured_amount = EXCLUDED.captured_amount, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`,
    [...changes.holds.values()],
  );
  run(
    `INSERT INTO transfers (transfer_id, from_account_id, to_account_id, amount, currency, reference, status,
                            failure_reason, batch_id, batch_index, batch_mode, revision, requested_at,
                            updated_at)
     SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(transfer_id uuid, from_account_id uuid, to_account_id uuid,
       amount bigint, currency text, reference text, status text, failure_reason text, batch_id uuid,
       batch_index integer, batch_mode text, revision bigint, requested_at timestamptz,
       updated_at timestamptz)
     ON CONFLICT (transfer_id) DO UPDATE SET
       status = EXCLUDED.status, failure_reason = EXCLUDED.failure_reason, revision = EXCLUDED.revision,
       updated_at = EXCLUDED.updated_at`,
    [...changes.transfers.values()],
  );
  run(
    `INSERT INTO transfer_status_history (transfer_id, revision, status, reason, at)
     SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(transfer_id uuid, revision bigint, status text, reason text,
       at timestamptz)`,
    changes.transferHistory,
  );
  run(
    `INSERT INTO daily_balances (account_id, day, opening_balance, closing_balance, total_in, total_out)
     SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(account_id uuid, day date, opening_balance bigint,
       closing_balance bigint, total_in numeric, total_out numeric)
     ON CONFLICT (account_id, day) DO UPDATE SET
       closing_balance = EXCLUDED.closing_balance, total_in = EXCLUDED.total_in, total_out = EXCLUDED.total_out`,
    [...changes.daily.values()],
  );
  run(
    `UPDATE stream_checkpoints s SET revision = r.revision
       FROM jsonb_to_recordset(?::jsonb) AS r(stream_id text, revision bigint)
      WHERE s.stream_id = r.stream_id`,
    [...changes.streams].map(([stream_id, revision]) => ({ stream_id, revision })),
  );
  for (const [sql, rows] of statements) await trx.raw(sql, [toJsonParam(rows)]);
}
