import type { Knex } from 'knex';
import type { Reader } from '../shared/read-snapshot.js';

export interface TransferRow {
  readonly transfer_id: string;
  readonly from_account_id: string;
  readonly to_account_id: string;
  readonly amount: string;
  readonly currency: string;
  readonly reference: string;
  readonly status: string;
  readonly failure_reason: string | null;
  readonly batch_id: string | null;
  readonly reversal_of: string | null;
  /** Minor units, as pg returns a bigint. */
  readonly reversed_amount: string;
  readonly requested_at: Date;
  readonly updated_at: Date;
  /** Owners of the two accounts, for the owner restriction (null if an account view is missing). */
  readonly from_owner_id: string | null;
  readonly to_owner_id: string | null;
}

export interface TransferStatusRow {
  readonly status: string;
  readonly reason: string | null;
  readonly at: Date;
}

/** The transfer by primary key, with both parties' owners through the accounts primary key. */
export function transferByIdQuery(db: Reader, transferId: string): Knex.QueryBuilder {
  return db('transfers as t')
    .leftJoin('accounts as fa', 'fa.account_id', 't.from_account_id')
    .leftJoin('accounts as ta', 'ta.account_id', 't.to_account_id')
    .select(
      't.transfer_id',
      't.from_account_id',
      't.to_account_id',
      't.amount',
      't.currency',
      't.reference',
      't.status',
      't.failure_reason',
      't.batch_id',
      't.reversal_of',
      't.reversed_amount',
      't.requested_at',
      't.updated_at',
      'fa.owner_id as from_owner_id',
      'ta.owner_id as to_owner_id',
    )
    .where('t.transfer_id', transferId);
}

export interface BatchLegRow {
  readonly transfer_id: string;
  readonly from_account_id: string;
  readonly to_account_id: string;
  readonly batch_index: number;
  readonly batch_mode: string;
  readonly status: string;
  readonly failure_reason: string | null;
}

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
