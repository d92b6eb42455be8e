import type { queryTypes } from '@bank/proto';
import { toBigInt } from '@bank/platform';
import { currencyOf, formatMinor } from '../shared/money.js';
import { isoTimestamp } from '../shared/time.js';
import type { HoldRow } from './hold-queries.js';

/**
 * A hold as the API shows it. `released` is what went back to the available balance: all of a
 * released or expired hold, the rest of a captured one (a partial capture releases the
 * remainder), nothing while it is open.
 */
export function toHoldMessage(row: HoldRow): queryTypes.Hold {
  const currency = currencyOf(row.currency);
  const amount = toBigInt(row.amount);
  const captured = toBigInt(row.captured_amount);
  const released = row.status === 'open' ? 0n : amount - captured;
  return {
    holdId: row.hold_id,
    accountId: row.account_id,
    currency,
    amount: formatMinor(amount.toString(), currency),
    captured: formatMinor(captured.toString(), currency),
    released: formatMinor(released.toString(), currency),
    status: row.status,
    expiresAt: row.expires_at ? isoTimestamp(row.expires_at) : '',
    placedAt: isoTimestamp(row.placed_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}
