import type { queryTypes } from '@bank/proto';
import type { StoredLedgerEntryRow } from '@bank/read-models';
import { currencyOf, formatMinor } from '../shared/money.js';
import { isoTimestamp } from '../shared/time.js';

export function toLedgerEntryMessage(row: StoredLedgerEntryRow): queryTypes.LedgerEntry {
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
