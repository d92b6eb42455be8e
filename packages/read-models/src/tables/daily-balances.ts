import { toBigInt } from '@bank/platform/core';
import type { Knex } from 'knex';
import { isCanonicalInstant } from '../projection/projection-event.js';
import { columnNames, loadRows, type StoredRow, type Table } from './table.js';

/** A `daily_balances` row in memory: an account's money on one UTC day it moved. */
export interface DailyBalanceRow {
  account_id: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  opening_balance: bigint;
  closing_balance: bigint;
  total_in: bigint;
  total_out: bigint;
}

export const DAILY_BALANCES = {
  name: 'daily_balances',
  columns: {
    account_id: 'uuid',
    day: 'date',
    opening_balance: 'bigint',
    closing_balance: 'bigint',
    total_in: 'numeric',
    total_out: 'numeric',
  },
  conflict: ['account_id', 'day'],
  update: ['closing_balance', 'total_in', 'total_out'],
} as const satisfies Table<DailyBalanceRow>;

/** A `daily_balances` row as pg returns it. */
export type StoredDailyBalanceRow = StoredRow<DailyBalanceRow, typeof DAILY_BALANCES.columns>;

export const DAILY_BALANCE_COLUMNS = columnNames<DailyBalanceRow>(DAILY_BALANCES);

export const dailyKey = (accountId: string, day: string): string => `${accountId}/${day}`;

/**
 * The day rows whose (account_id, day) are the JSON array parameter, each by a probe of the
 * primary key (a lateral look-up of at most one row), never a join the planner may turn into a
 * scan of the whole table (see ACCOUNTS_SQL).
 */
export const DAILY_SQL = `SELECT d.account_id::text AS account_id, d.day::text AS day, d.opening_balance::text AS opening_balance,
            d.closing_balance::text AS closing_balance, d.total_in::text AS total_in, d.total_out::text AS total_out
       FROM jsonb_to_recordset(?::jsonb) AS k(account_id uuid, day date)
      CROSS JOIN LATERAL (SELECT * FROM daily_balances d
                           WHERE d.account_id = k.account_id AND d.day = k.day LIMIT 1) d`;

/** Rows of DAILY_SQL by dailyKey. */
export function dailyRows(rows: Record<string, unknown>[]): Map<string, DailyBalanceRow> {
  return new Map(
    rows.map((r): [string, DailyBalanceRow] => [
      dailyKey(String(r['account_id']), String(r['day'])),
      {
        account_id: String(r['account_id']),
        day: String(r['day']),
        opening_balance: toBigInt(r['opening_balance']),
        closing_balance: toBigInt(r['closing_balance']),
        total_in: toBigInt(r['total_in']),
        total_out: toBigInt(r['total_out']),
      },
    ]),
  );
}

export function loadDaily(
  db: Knex | Knex.Transaction,
  keys: Array<{ account_id: string; day: string }>,
): Promise<Map<string, DailyBalanceRow>> {
  return loadRows(db, DAILY_SQL, keys, dailyRows);
}

const MS_PER_DAY = 86_400_000;
const dayNames = new Map<number, string>();

/**
 * The UTC calendar day of an instant. Called twice per money event: a canonical instant's day is
 * its first ten characters; otherwise the day's name is formatted once per day number and
 * remembered (a few thousand days at most, one short string each).
 */
export function utcDay(iso: string): string {
  // The projection's times are canonical (see toProjectionEvent): their first ten characters.
  if (isCanonicalInstant(iso)) return iso.slice(0, 10);
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return new Date(ms).toISOString(); // throws RangeError, as before
  const day = Math.floor(ms / MS_PER_DAY);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    if (dayNames.size < 100_000) dayNames.set(day, name);
  }
  return name;
}
