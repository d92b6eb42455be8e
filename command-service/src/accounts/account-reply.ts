import { availableBalance, formatAmount, type AccountState } from '@bank/domain';
import type { commandTypes } from '@bank/proto';
import type { Accepted } from '../infrastructure/command-handler.js';

/** The account as the command left it, amounts as decimal strings of its currency. */
export function accountSnapshot(
  state: AccountState,
  revision: bigint,
): commandTypes.AccountSnapshot {
  if (state.status === 'none') throw new Error('no snapshot of an account that does not exist');
  const money = (minor: bigint) => formatAmount(minor, state.currency);
  return {
    accountId: state.accountId,
    ownerId: state.ownerId,
    currency: state.currency,
    type: state.accountType,
    status: state.status,
    balance: money(state.balance),
    available: money(availableBalance(state)),
    held: money(state.heldTotal),
    overdraftLimit: money(state.overdraftLimit),
    revision: revision.toString(),
  };
}

export function accountReply(
  outcome: Accepted<AccountState>,
  holdId = '',
): commandTypes.AccountReply {
  return {
    account: accountSnapshot(outcome.state, outcome.revision),
    position: outcome.position.toString(),
    replayed: outcome.replayed,
    holdId,
  };
}
