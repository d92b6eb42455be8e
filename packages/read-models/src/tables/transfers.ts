import { toBigInt } from '@bank/platform/core';
import type { Knex } from 'knex';
import { isoOf } from '../projection/sql-json.js';
import { columnNames, loadRows, type StoredRow, type Table } from './table.js';

/** A `transfers` row in memory. */
export interface TransferRow {
  transfer_id: string;
  from_account_id: string;
  to_account_id: string;
  amount: bigint;
  currency: string;
  reference: string;
  status: string;
  failure_reason: string | null;
  /** The batch the transfer is a leg of, and its place there; null for a transfer on its own. */
  batch_id: string | null;
  batch_index: number | null;
  batch_mode: string | null;
  /** The transfer a reversal moves money back for; null for any other transfer. */
  reversal_of: string | null;
  /** How much of this transfer reversals have moved back. */
  reversed_amount: bigint;
  revision: bigint;
  requested_at: string;
  updated_at: string;
}

export const TRANSFERS = {
  name: 'transfers',
  columns: {
    transfer_id: 'uuid',
    from_account_id: 'uuid',
    to_account_id: 'uuid',
    amount: 'bigint',
    currency: 'text',
    reference: 'text',
    status: 'text',
    failure_reason: 'text',
    batch_id: 'uuid',
    batch_index: 'integer',
    batch_mode: 'text',
    reversal_of: 'uuid',
    reversed_amount: 'bigint',
    revision: 'bigint',
    requested_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  conflict: ['transfer_id'],
  update: ['status', 'failure_reason', 'reversed_amount', 'revision', 'updated_at'],
} as const satisfies Table<TransferRow>;

/** A `transfers` row as pg returns it. */
export type StoredTransferRow = StoredRow<TransferRow, typeof TRANSFERS.columns>;

export const TRANSFER_COLUMNS = columnNames<TransferRow>(TRANSFERS);

/** The transfers whose ids are the JSON array parameter (key probes: see ACCOUNTS_SQL). */
export const TRANSFERS_SQL = `SELECT transfer_id::text AS transfer_id, from_account_id::text AS from_account_id,
            to_account_id::text AS to_account_id, amount::text AS amount, currency, reference, status,
            failure_reason, batch_id::text AS batch_id, batch_index, batch_mode,
            reversal_of::text AS reversal_of, reversed_amount::text AS reversed_amount,
            revision::text AS revision, requested_at, updated_at
       FROM transfers WHERE transfer_id = ANY (ARRAY(SELECT (jsonb_array_elements_text(?::jsonb))::uuid))`;

/** Rows of TRANSFERS_SQL by transfer id. */
export function transferRows(rows: Record<string, unknown>[]): Map<string, TransferRow> {
  return new Map(
    rows.map((r): [string, TransferRow] => [
      String(r['transfer_id']),
      {
        transfer_id: String(r['transfer_id']),
        from_account_id: String(r['from_account_id']),
        to_account_id: String(r['to_account_id']),
        amount: toBigInt(r['amount']),
        currency: String(r['currency']),
        reference: String(r['reference']),
        status: String(r['status']),
        failure_reason: typeof r['failure_reason'] === 'string' ? r['failure_reason'] : null,
        batch_id: typeof r['batch_id'] === 'string' ? r['batch_id'] : null,
        batch_index: typeof r['batch_index'] === 'number' ? r['batch_index'] : null,
        batch_mode: typeof r['batch_mode'] === 'string' ? r['batch_mode'] : null,
        reversal_of: typeof r['reversal_of'] === 'string' ? r['reversal_of'] : null,
        reversed_amount: toBigInt(r['reversed_amount']),
        revision: toBigInt(r['revision']),
        requested_at: isoOf(r['requested_at']),
        updated_at: isoOf(r['updated_at']),
      },
    ]),
  );
}

export function loadTransfers(
  db: Knex | Knex.Transaction,
  keys: string[],
): Promise<Map<string, TransferRow>> {
  return loadRows(db, TRANSFERS_SQL, keys, transferRows);
}
