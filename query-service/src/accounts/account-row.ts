import type { queryTypes } from '@bank/proto';
import { currencyOf, formatMinor } from '../shared/money.js';
import { isoTimestamp } from '../shared/time.js';

/** A row of the `accounts` view as pg returns it: int8 as string, timestamptz as Date. */
export interface AccountRow {
  readonly account_id: string;
  readonly owner_id: string;
  readonly currency: string;
  readonly type: string;
  readonly status: string;
  readonly balance: string;
  readonly held: string;
  readonly overdraft_limit: string;
  readonly available: string;
  readonly revision: string;
  readonly opened_at: Date;
  readonly updated_at: Date;
}

export const ACCOUNT_COLUMNS = [
  'account_id',
  'owner_id',
  'currency',
  'type',
  'status',
  'balance',
  'held',
  'overdraft_limit',
  'available',
  'revision',
  'opened_at',
  'updated_at',
] as const;

export function toAccountMessage(row: AccountRow): queryTypes.Account {
  const currency = currencyOf(row.currency);
  return {
    accountId: row.account_id,
    ownerId: row.owner_id,
    currency,
    type: row.type,
    status: row.status,
    balance: formatMinor(row.balance, currency),
    available: formatMinor(row.available, currency),
    held: formatMinor(row.held, currency),
    overdraftLimit: formatMinor(row.overdraft_limit, currency),
    revision: row.revision,
    openedAt: isoTimestamp(row.opened_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}
