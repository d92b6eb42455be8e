import { availableBalance, formatAmount, type AccountState, type HoldCaptured } from '@bank/domain';
import { AppError } from '@bank/platform';
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

/**
 * What a capture gave back to the available balance: the rest of the hold after a partial
 * capture, "0.00" after a full one. Read from the capture's own event, so that a replayed
 * capture answers what the first one did.
 */
export function releasedByCapture(outcome: Accepted<AccountState>, holdId: string): string {
  const captured = outcome.events.find(
    (event): event is HoldCaptured => event.type === 'HoldCaptured' && event.data.holdId === holdId,
  );
  if (outcome.state.status === 'none')
    throw new AppError('internal', 'INTERNAL', 'an accepted capture on no account');
  // Its command id found an earlier command on the account that was not this capture.
  if (!captured) {
    throw new AppError(
      'business',
      'COMMAND_ID_REUSED',
      'this command id was already used for another command; send the capture with a new id',
    );
  }
  return formatAmount(captured.data.released, outcome.state.currency);
}
