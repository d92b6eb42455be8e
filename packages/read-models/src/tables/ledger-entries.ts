import { columnNames, type StoredRow, type Table } from './table.js';

/** The entry types the projection writes, in the words of the API. */
export const LEDGER_ENTRY_TYPES = [
  'deposit',
  'withdrawal',
  'hold_capture',
  'transfer_in',
  'transfer_out',
  'transfer_refund',
] as const;

export type LedgerEntryType = (typeof LEDGER_ENTRY_TYPES)[number];

/** A `ledger_entries` row in memory: one per money event, only ever inserted. */
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

export const LEDGER_ENTRIES = {
  name: 'ledger_entries',
  columns: {
    account_id: 'uuid',
    revision: 'bigint',
    event_id: 'uuid',
    position: 'bigint',
    type: 'text',
    amount: 'bigint',
    balance_after: 'bigint',
    currency: 'text',
    counterparty_account_id: 'uuid',
    transfer_id: 'uuid',
    hold_id: 'uuid',
    occurred_at: 'timestamptz',
  },
} as const satisfies Table<LedgerEntryRow>;

/** A `ledger_entries` row as pg returns it. */
export type StoredLedgerEntryRow = StoredRow<LedgerEntryRow, typeof LEDGER_ENTRIES.columns>;

export const LEDGER_ENTRY_COLUMNS = columnNames<LedgerEntryRow>(LEDGER_ENTRIES);
