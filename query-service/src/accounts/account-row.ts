import type { queryTypes } from '@bank/proto';
import type { StoredAccountRow } from '@bank/read-models';
import { currencyOf, formatMinor } from '../shared/money.js';
import { isoTimestamp } from '../shared/time.js';

export function toAccountMessage(row: StoredAccountRow): queryTypes.Account {
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
