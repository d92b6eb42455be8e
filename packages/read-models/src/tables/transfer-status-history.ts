import { columnNames, type StoredRow, type Table } from './table.js';

/** A `transfer_status_history` row in memory: one per status change, only ever inserted. */
export interface TransferStatusRow {
  transfer_id: string;
  revision: bigint;
  status: string;
  reason: string | null;
  at: string;
}

export const TRANSFER_STATUS_HISTORY = {
  name: 'transfer_status_history',
  columns: {
    transfer_id: 'uuid',
    revision: 'bigint',
    status: 'text',
    reason: 'text',
    at: 'timestamptz',
  },
} as const satisfies Table<TransferStatusRow>;

/** A `transfer_status_history` row as pg returns it. */
export type StoredTransferStatusRow = StoredRow<
  TransferStatusRow,
  typeof TRANSFER_STATUS_HISTORY.columns
>;

export const TRANSFER_STATUS_COLUMNS = columnNames<TransferStatusRow>(TRANSFER_STATUS_HISTORY);
