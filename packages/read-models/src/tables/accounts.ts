import { toBigInt } from '@bank/platform/core';
import type { Knex } from 'knex';
import { isoOf } from '../projection/sql-json.js';
import { loadRows, columnNames, type StoredRow, type Table } from './table.js';

/** An `accounts` row in memory: money and revisions bigint, instants ISO-8601 strings. */
export interface AccountRow {
  account_id: string;
  owner_id: string;
  currency: string;
  type: string;
  status: string;
  balance: bigint;
  held: bigint;
  overdraft_limit: bigint;
  available: bigint;
  revision: bigint;
  last_position: bigint;
  opened_at: string;
  updated_at: string;
}

export const ACCOUNTS = {
  name: 'accounts',
  columns: {
    account_id: 'uuid',
    owner_id: 'text',
    currency: 'text',
    type: 'text',
    status: 'text',
    balance: 'bigint',
    held: 'bigint',
    overdraft_limit: 'bigint',
    available: 'bigint',
    revision: 'bigint',
    last_position: 'bigint',
    opened_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  conflict: ['account_id'],
  update: [
    'status',
    'balance',
    'held',
    'overdraft_limit',
    'available',
    'revision',
    'last_position',
    'updated_at',
  ],
} as const satisfies Table<AccountRow>;

/** An `accounts` row as pg returns it. */
export type StoredAccountRow = StoredRow<AccountRow, typeof ACCOUNTS.columns>;

export const ACCOUNT_COLUMNS = columnNames<AccountRow>(ACCOUNTS);

/**
 * The accounts whose ids are the JSON array parameter. The ids are gathered into an array first
 * (`= ANY (ARRAY(...))`): the planner guesses 100 rows for any set from JSON and, against a table
 * of under some 40,000 rows, would scan the whole table for them instead of probing its key.
 */
export const ACCOUNTS_SQL = `SELECT account_id::text AS account_id, owner_id, currency, type, status, balance::text AS balance,
            held::text AS held, overdraft_limit::text AS overdraft_limit, available::text AS available,
            revision::text AS revision, last_position::text AS last_position, opened_at, updated_at
       FROM accounts WHERE account_id = ANY (ARRAY(SELECT (jsonb_array_elements_text(?::jsonb))::uuid))`;

/** Rows of ACCOUNTS_SQL by account id. */
export function accountRows(rows: Record<string, unknown>[]): Map<string, AccountRow> {
  return new Map(
    rows.map((r): [string, AccountRow] => [
      String(r['account_id']),
      {
        account_id: String(r['account_id']),
        owner_id: String(r['owner_id']),
        currency: String(r['currency']),
        type: String(r['type']),
        status: String(r['status']),
        balance: toBigInt(r['balance']),
        held: toBigInt(r['held']),
        overdraft_limit: toBigInt(r['overdraft_limit']),
        available: toBigInt(r['available']),
        revision: toBigInt(r['revision']),
        last_position: toBigInt(r['last_position']),
        opened_at: isoOf(r['opened_at']),
        updated_at: isoOf(r['updated_at']),
      },
    ]),
  );
}

export function loadAccounts(
  db: Knex | Knex.Transaction,
  keys: string[],
): Promise<Map<string, AccountRow>> {
  return loadRows(db, ACCOUNTS_SQL, keys, accountRows);
}
