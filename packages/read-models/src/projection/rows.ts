/**
 * In-memory shapes of the view rows the projection reads and writes. Money and revisions are
 * bigint here; instants are ISO-8601 strings. (pg returns int8 as strings: see load.ts.)
 */
import { isCanonicalInstant } from './projection-event.js';

export type LedgerEntryType =
  'deposit' | 'withdrawal' | 'hold_capture' | 'transfer_out' | 'transfer_in' | 'transfer_refund';

export const LEDGER_ENTRY_TYPES: readonly LedgerEntryType[] = [
  'deposit',
  'withdrawal',
  'hold_capture',
  'transfer_out',
  'transfer_in',
  'transfer_refund',
];

export type HoldStatus = 'open' | 'captured' | 'released' | 'expired';

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

export interface LedgerEntryRow {
  account_id: string;
  revision: bigint;
  event_id: string;
  position: bigint;
  type: LedgerEntryType;
  /** Signed: negative when money leaves the account. */
  amount: bigint;
  balance_after: bigint;
  currency: string;
  counterparty_account_id: string | null;
  transfer_id: string | null;
  hold_id: string | null;
  occurred_at: string;
}

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

export interface TransferStatusRow {
  transfer_id: string;
  revision: bigint;
  status: string;
  reason: string | null;
  at: string;
}

export interface DailyBalanceRow {
  account_id: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  opening_balance: bigint;
  closing_balance: bigint;
  total_in: bigint;
  total_out: bigint;
}

export const holdKey = (accountId: string, holdId: string): string => `${accountId}/${holdId}`;
export const dailyKey = (accountId: string, day: string): string => `${accountId}/${day}`;

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
