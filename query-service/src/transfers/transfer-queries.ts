import type { Knex } from 'knex';
import {
  TRANSFER_COLUMNS,
  type StoredTransferRow,
  type StoredTransferStatusRow,
} from '@bank/read-models';
import type { Reader } from '../shared/read-snapshot.js';

/** A transfer with both parties' owners (null where an account view is missing). */
export interface TransferRow extends StoredTransferRow {
  readonly from_owner_id: string | null;
  readonly to_owner_id: string | null;
}

export type TransferStatusRow = Pick<StoredTransferStatusRow, 'status' | 'reason' | 'at'>;

/** The transfer by primary key, with both parties' owners through the accounts primary key. */
export function transferByIdQuery(db: Reader, transferId: string): Knex.QueryBuilder {
  return db('transfers as t')
    .leftJoin('accounts as fa', 'fa.account_id', 't.from_account_id')
    .leftJoin('accounts as ta', 'ta.account_id', 't.to_account_id')
    .select(
      ...TRANSFER_COLUMNS.map((column) => `t.${column}`),
      'fa.owner_id as from_owner_id',
      'ta.owner_id as to_owner_id',
    )
    .where('t.transfer_id', transferId);
}

/** A leg of a batch: a transfer that has a batch. */
export type BatchLegRow = Pick<
  StoredTransferRow,
  'transfer_id' | 'from_account_id' | 'to_account_id' | 'status' | 'failure_reason'
> & { readonly batch_index: number; readonly batch_mode: string };

/** A batch's legs in their order (transfers_batch_idx). */
export function batchLegsQuery(db: Reader, batchId: string): Knex.QueryBuilder {
  return db('transfers')
    .select(
      'transfer_id',
      'from_account_id',
      'to_account_id',
      'batch_index',
      'batch_mode',
      'status',
      'failure_reason',
    )
    .where('batch_id', batchId)
    .orderBy('batch_index', 'asc');
}

/** The owners of some accounts, by primary key. */
export function accountOwnersQuery(db: Reader, accountIds: readonly string[]): Knex.QueryBuilder {
  return db('accounts').select('owner_id').whereIn('account_id', accountIds);
}

/** Status changes in the order they happened: primary key (transfer_id, revision). */
export function transferHistoryQuery(db: Reader, transferId: string): Knex.QueryBuilder {
  return db('transfer_status_history')
    .select('status', 'reason', 'at')
    .where('transfer_id', transferId)
    .orderBy('revision', 'asc');
}
