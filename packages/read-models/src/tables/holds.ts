import { toBigInt } from '@bank/platform/core';
import type { Knex } from 'knex';
import { isoOf, isoOrNull } from '../projection/sql-json.js';
import { columnNames, loadRows, type StoredRow, type Table } from './table.js';

export const HOLD_STATUSES = ['open', 'captured', 'released', 'expired'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

/** A `holds` row in memory. */
export interface HoldRow {
  account_id: string;
  hold_id: string;
  amount: bigint;
  captured_amount: bigint;
  status: HoldStatus;
  expires_at: string | null;
  placed_at: string;
  updated_at: string;
}

export const HOLDS = {
  name: 'holds',
  columns: {
    account_id: 'uuid',
    hold_id: 'uuid',
    amount: 'bigint',
    captured_amount: 'bigint',
    status: 'text',
    expires_at: 'timestamptz',
    placed_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  conflict: ['account_id', 'hold_id'],
  update: ['captured_amount', 'status', 'updated_at'],
} as const satisfies Table<HoldRow>;

/** A `holds` row as pg returns it. */
export type StoredHoldRow = StoredRow<HoldRow, typeof HOLDS.columns>;

export const HOLD_COLUMNS = columnNames<HoldRow>(HOLDS);

/** A hold's key in the maps of the fold: hold ids are unique per account. */
export const holdKey = (accountId: string, holdId: string): string => `${accountId}/${holdId}`;

/** The holds whose (account_id, hold_id) are the JSON array parameter (key probes: see DAILY_SQL). */
export const HOLDS_SQL = `SELECT h.account_id::text AS account_id, h.hold_id::text AS hold_id, h.amount::text AS amount,
            h.captured_amount::text AS captured_amount, h.status, h.expires_at, h.placed_at, h.updated_at
       FROM jsonb_to_recordset(?::jsonb) AS k(account_id uuid, hold_id uuid)
      CROSS JOIN LATERAL (SELECT * FROM holds h
                           WHERE h.account_id = k.account_id AND h.hold_id = k.hold_id LIMIT 1) h`;

/** Rows of HOLDS_SQL by holdKey. */
export function holdRows(rows: Record<string, unknown>[]): Map<string, HoldRow> {
  return new Map(
    rows.map((r): [string, HoldRow] => [
      holdKey(String(r['account_id']), String(r['hold_id'])),
      {
        account_id: String(r['account_id']),
        hold_id: String(r['hold_id']),
        amount: toBigInt(r['amount']),
        captured_amount: toBigInt(r['captured_amount']),
        status: String(r['status']) as HoldStatus,
        expires_at: isoOrNull(r['expires_at']),
        placed_at: isoOf(r['placed_at']),
        updated_at: isoOf(r['updated_at']),
      },
    ]),
  );
}

export function loadHolds(
  db: Knex | Knex.Transaction,
  keys: Array<{ account_id: string; hold_id: string }>,
): Promise<Map<string, HoldRow>> {
  return loadRows(db, HOLDS_SQL, keys, holdRows);
}
