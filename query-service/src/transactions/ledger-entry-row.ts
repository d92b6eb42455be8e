import type { queryTypes } from '@bank/proto';
import { currencyOf, formatMinor } from '../shared/money.js';
import { isoTimestamp } from '../shared/time.js';

/** The entry types the projector writes, in the words of the API. */
export const LEDGER_ENTRY_TYPES = [
  'deposit',
  'withdrawal',
  'hold_capture',
  'transfer_in',
  'transfer_out',
  'transfer_refund',
] as const;
export type LedgerEntryType = (typeof LEDGER_ENTRY_TYPES)[number];

export interface LedgerEntryRow {
  readonly account_id: string;
  readonly revision: string;
  readonly event_id: string;
  readonly position: string;
  readonly type: string;
  readonly amount: string;
  readonly balance_after: string;
  readonly currency: string;
  readonly counterparty_account_id: string | null;
  readonly transfer_id: string | null;
  readonly hold_id: string | null;
  readonly occurred_at: Date;
}

export const LEDGER_ENTRY_COLUMNS = [
  'account_id',
  'revision',
  'event_id',
  'position',
  'type',
  'amount',
  'balance_after',
  'currency',
  'counterparty_account_id',
  'transfer_id',
  'hold_id',
  'occurred_at',
] as const;

export function toLedgerEntryMessage(row: LedgerEntryRow): queryTypes.LedgerEntry {
  const currency = currencyOf(row.currency);
  return {
    // The event that made the entry: unique, and stable across rebuilds of the views.
    entryId: row.event_id,
    accountId: row.account_id,
    type: row.type,
    amount: formatMinor(row.amount, currency),
    balanceAfter: formatMinor(row.balance_after, currency),
    currency,
    counterpartyAccountId: row.counterparty_account_id ?? '',
    transferId: row.transfer_id ?? '',
    holdId: row.hold_id ?? '',
    occurredAt: isoTimestamp(row.occurred_at),
    position: row.position,
  };
}
