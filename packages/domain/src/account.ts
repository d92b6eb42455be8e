import type { Decider } from './decider.js';
import {
  accept,
  assertNever,
  InvalidCommandError,
  reject,
  type Decision,
  type Rejection,
} from './decision.js';
import type { AccountEvent, AccountStatus, AccountType } from './events.js';
import { MAX_AMOUNT_MINOR, MAX_BALANCE_MINOR, type Currency } from './money.js';

export type Hold = { readonly amount: bigint; readonly expiresAt: string | null };

export type AccountState =
  | { readonly status: 'none' }
  | {
      readonly status: AccountStatus;
      readonly accountId: string;
      readonly ownerId: string;
      readonly currency: Currency;
      readonly accountType: AccountType;
      readonly balance: bigint;
      readonly overdraftLimit: bigint;
      /** Open holds by hold id. */
      readonly holds: ReadonlyMap<string, Hold>;
      readonly heldTotal: bigint;
      /** Transfer legs already applied to this account, so that each leg lands once. */
      readonly transferLegs: ReadonlySet<string>;
      /** Amount debited per transfer id, so that a refund gives back exactly what was taken. */
      readonly transferDebits: ReadonlyMap<string, bigint>;
      /** Transfer legs this account refused, with the reason: a refusal is final, like a leg. */
      readonly declinedLegs: ReadonlyMap<string, string>;
      /** Every hold id ever placed here (open or not): a hold id names one hold for life. */
      readonly holdIds: ReadonlySet<string>;
    };

export type OpenAccountState = Exclude<AccountState, { status: 'none' }>;

export const initialAccountState: AccountState = { status: 'none' };

/**
 * Why the account would refuse to pay `amount` out now (not open, a bad amount, not enough
 * available), or undefined when it would pay. The same rule every debit is decided by.
 */
export function debitRefusal(state: AccountState, amount: bigint): Rejection | undefined {
  if (state.status === 'none') return { code: 'ACCOUNT_NOT_FOUND', message: 'account not found' };
  const refused = refuseDebit(state, amount);
  return refused && !refused.ok ? refused.rejection : undefined;
}

/** balance − open holds + overdraft limit: what a debit may take. */
export function availableBalance(state: OpenAccountState): bigint {
  return state.balance - state.heldTotal + state.overdraftLimit;
}

export type AccountCommand =
  | {
      type: 'OpenAccount';
      data: {
        accountId: string;
        ownerId: string;
        currency: Currency;
        accountType: AccountType;
        overdraftLimit: bigint;
      };
    }
  | { type: 'Deposit'; data: { amount: bigint } }
  | { type: 'Withdraw'; data: { amount: bigint } }
  | {
      type: 'PlaceHold';
      data: { holdId: string; amount: bigint; expiresAt: string | null; now: string };
    }
  | { type: 'CaptureHold'; data: { holdId: string; amount: bigint | null; now: string } }
  | { type: 'ReleaseHold'; data: { holdId: string } }
  | { type: 'ExpireHold'; data: { holdId: string; now: string } }
  | { type: 'FreezeAccount'; data: { reason: string } }
  | { type: 'UnfreezeAccount'; data: Record<string, never> }
  | { type: 'ChangeOverdraftLimit'; data: { overdraftLimit: bigint } }
  | { type: 'CloseAccount'; data: Record<string, never> }
  | { type: 'DebitForTransfer'; data: TransferLeg }
  | { type: 'CreditForTransfer'; data: TransferLeg }
  | { type: 'RefundTransfer'; data: TransferLeg };

export type TransferLeg = { transferId: string; counterpartyAccountId: string; amount: bigint };

export function decideAccount(
  command: AccountCommand,
  state: AccountState,
): Decision<AccountEvent> {
  if (command.type === 'OpenAccount') {
    if (state.status !== 'none') return reject('ACCOUNT_ALREADY_EXISTS', 'account already exists');
    const { overdraftLimit } = command.data;
    if (overdraftLimit < 0n || overdraftLimit > MAX_AMOUNT_MINOR) {
      return reject('INVALID_AMOUNT', 'overdraft limit must be between 0 and the maximum amount');
    }
    return accept({ type: 'AccountOpened', data: { ...command.data } });
  }
  if (state.status === 'none') return reject('ACCOUNT_NOT_FOUND', 'account not found');
  const accountId = state.accountId;

  switch (command.type) {
    case 'Deposit': {
      const refused = refuseCredit(state, command.data.amount);
      if (refused) return refused;
      return accept({ type: 'FundsDeposited', data: { accountId, amount: command.data.amount } });
    }
    case 'Withdraw': {
      const refused = refuseDebit(state, command.data.amount);
      if (refused) return refused;
      return accept({ type: 'FundsWithdrawn', data: { accountId, amount: command.data.amount } });
    }
    case 'PlaceHold': {
      const { holdId, amount, expiresAt, now } = command.data;
      if (state.holdIds.has(holdId)) return reject('HOLD_ALREADY_EXISTS', 'hold already exists');
      if (expiresAt !== null && isAtOrAfter(now, expiresAt)) {
        return reject('HOLD_EXPIRED', 'hold expiry must be in the future');
      }
      const refused = refuseDebit(state, amount);
      if (refused) return refused;
      return accept({ type: 'HoldPlaced', data: { accountId, holdId, amount, expiresAt } });
    }
    case 'CaptureHold': {
      const { holdId, now } = command.data;
      const hold = state.holds.get(holdId);
      if (!hold) return reject('HOLD_NOT_FOUND', 'no open hold with that id');
      if (state.status === 'closed') return reject('ACCOUNT_CLOSED', 'account is closed');
      if (state.status === 'frozen') return reject('ACCOUNT_FROZEN', 'account is frozen');
      if (hold.expiresAt !== null && isAtOrAfter(now, hold.expiresAt)) {
        return reject('HOLD_EXPIRED', 'hold has expired');
      }
      const amount = command.data.amount ?? hold.amount;
      const bad = refuseBadAmount(amount);
      if (bad) return bad;
      if (amount > hold.amount)
        return reject('CAPTURE_EXCEEDS_HOLD', 'capture exceeds the held amount');
      return accept({
        type: 'HoldCaptured',
        data: { accountId, holdId, amount, released: hold.amount - amount },
      });
    }
    case 'ReleaseHold': {
      const hold = state.holds.get(command.data.holdId);
      if (!hold) return reject('HOLD_NOT_FOUND', 'no open hold with that id');
      return accept({
        type: 'HoldReleased',
        data: { accountId, holdId: command.data.holdId, amount: hold.amount },
      });
    }
    case 'ExpireHold': {
      const hold = state.holds.get(command.data.holdId);
      if (!hold) return reject('HOLD_NOT_FOUND', 'no open hold with that id');
      if (hold.expiresAt === null || !isAtOrAfter(command.data.now, hold.expiresAt)) {
        return reject('HOLD_NOT_EXPIRED', 'hold has not expired');
      }
      return accept({
        type: 'HoldExpired',
        data: { accountId, holdId: command.data.holdId, amount: hold.amount },
      });
    }
    case 'FreezeAccount': {
      if (state.status === 'closed') return reject('ACCOUNT_CLOSED', 'account is closed');
      if (state.status === 'frozen') return reject('ACCOUNT_FROZEN', 'account is already frozen');
      return accept({ type: 'AccountFrozen', data: { accountId, reason: command.data.reason } });
    }
    case 'UnfreezeAccount': {
      if (state.status === 'closed') return reject('ACCOUNT_CLOSED', 'account is closed');
      if (state.status !== 'frozen') return reject('ACCOUNT_NOT_FROZEN', 'account is not frozen');
      return accept({ type: 'AccountUnfrozen', data: { accountId } });
    }
    case 'ChangeOverdraftLimit': {
      if (state.status === 'closed') return reject('ACCOUNT_CLOSED', 'account is closed');
      const { overdraftLimit } = command.data;
      if (overdraftLimit < 0n || overdraftLimit > MAX_AMOUNT_MINOR) {
        return reject('INVALID_AMOUNT', 'overdraft limit must be between 0 and the maximum amount');
      }
      return accept({ type: 'OverdraftLimitChanged', data: { accountId, overdraftLimit } });
    }
    case 'CloseAccount': {
      if (state.status === 'closed') return reject('ACCOUNT_CLOSED', 'account is already closed');
      if (state.holds.size > 0) return reject('OPEN_HOLDS', 'account has open holds');
      if (state.balance !== 0n) return reject('ACCOUNT_NOT_EMPTY', 'balance must be zero to close');
      return accept({ type: 'AccountClosed', data: { accountId } });
    }
    case 'DebitForTransfer': {
      if (transferLegOutcome(state, 'debit', command.data.transferId).kind !== 'none') {
        return accept();
      }
      const bad = refuseBadAmount(command.data.amount);
      if (bad) return bad;
      const refused = refuseDebit(state, command.data.amount);
      if (refused && !refused.ok) {
        const reason = refused.rejection.code;
        return accept({
          type: 'TransferDebitDeclined',
          data: { accountId, ...command.data, reason },
        });
      }
      return accept({ type: 'TransferDebited', data: { accountId, ...command.data } });
    }
    case 'CreditForTransfer': {
      if (transferLegOutcome(state, 'credit', command.data.transferId).kind !== 'none') {
        return accept();
      }
      const bad = refuseBadAmount(command.data.amount);
      if (bad) return bad;
      const refused = refuseCredit(state, command.data.amount);
      if (refused && !refused.ok) {
        const reason = refused.rejection.code;
        return accept({
          type: 'TransferCreditDeclined',
          data: { accountId, ...command.data, reason },
        });
      }
      return accept({ type: 'TransferCredited', data: { accountId, ...command.data } });
    }
    case 'RefundTransfer': {
      // A refund gives back money this account already lost to the transfer. It is accepted
      // whatever the account's status since the alternative is money that belongs to nobody.
      if (state.transferLegs.has(legKey('refund', command.data.transferId))) return accept();
      if (!state.transferLegs.has(legKey('debit', command.data.transferId))) {
        return reject('TRANSFER_STATE_INVALID', 'nothing was debited for this transfer');
      }
      const debited = state.transferDebits.get(command.data.transferId);
      if (debited !== undefined && debited !== command.data.amount) {
        return reject('INVALID_AMOUNT', 'a refund must give back exactly the debited amount');
      }
      return accept({ type: 'TransferRefunded', data: { accountId, ...command.data } });
    }
    default:
      return assertNever(command);
  }
}

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountOpened') {
    return {
      status: 'open',
      ...event.data,
      balance: 0n,
      holds: new Map(),
      heldTotal: 0n,
      transferLegs: new Set(),
      transferDebits: new Map(),
      declinedLegs: new Map(),
      holdIds: new Set(),
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'FundsDeposited':
      return { ...state, balance: state.balance + event.data.amount };
    case 'FundsWithdrawn':
      return { ...state, balance: state.balance - event.data.amount };
    case 'HoldPlaced': {
      const holds = new Map(state.holds);
      holds.set(event.data.holdId, { amount: event.data.amount, expiresAt: event.data.expiresAt });
      const holdIds = new Set(state.holdIds);
      holdIds.add(event.data.holdId);
      return { ...state, holds, holdIds, heldTotal: state.heldTotal + event.data.amount };
    }
    case 'HoldCaptured': {
      const held = state.holds.get(event.data.holdId)?.amount ?? 0n;
      const holds = new Map(state.holds);
      holds.delete(event.data.holdId);
      return {
        ...state,
        holds,
        heldTotal: state.heldTotal - held,
        balance: state.balance - event.data.amount,
      };
    }
    case 'HoldReleased':
    case 'HoldExpired': {
      const held = state.holds.get(event.data.holdId)?.amount ?? 0n;
      const holds = new Map(state.holds);
      holds.delete(event.data.holdId);
      return { ...state, holds, heldTotal: state.heldTotal - held };
    }
    case 'AccountFrozen':
      return { ...state, status: 'frozen' };
    case 'AccountUnfrozen':
      return { ...state, status: 'open' };
    case 'OverdraftLimitChanged':
      return { ...state, overdraftLimit: event.data.overdraftLimit };
    case 'AccountClosed':
      return { ...state, status: 'closed' };
    case 'TransferDebited': {
      const transferDebits = new Map(state.transferDebits);
      transferDebits.set(event.data.transferId, event.data.amount);
      return {
        ...withLeg(state, 'debit', event.data.transferId, -event.data.amount),
        transferDebits,
      };
    }
    case 'TransferCredited':
      return withLeg(state, 'credit', event.data.transferId, event.data.amount);
    case 'TransferRefunded':
      return withLeg(state, 'refund', event.data.transferId, event.data.amount);
    case 'TransferDebitDeclined':
    case 'TransferCreditDeclined': {
      const kind = event.type === 'TransferDebitDeclined' ? 'debit' : 'credit';
      const declinedLegs = new Map(state.declinedLegs);
      declinedLegs.set(legKey(kind, event.data.transferId), event.data.reason);
      return { ...state, declinedLegs };
    }
    default:
      return assertNever(event);
  }
}

export function foldAccount(
  events: Iterable<AccountEvent>,
  from = initialAccountState,
): AccountState {
  let state = from;
  for (const event of events) state = evolveAccount(state, event);
  return state;
}

export type TransferLegKind = 'debit' | 'credit' | 'refund';
type LegKind = TransferLegKind;
const legKey = (kind: LegKind, transferId: string): string => `${kind}:${transferId}`;

/**
 * Whether this account already carries the given leg of a transfer. The transfer process manager
 * asks it of the source account before crediting the destination (see `nextTransferStep`).
 */
export function hasTransferLeg(
  state: AccountState,
  kind: TransferLegKind,
  transferId: string,
): boolean {
  return state.status !== 'none' && state.transferLegs.has(legKey(kind, transferId));
}

export type TransferLegOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'applied' }
  | { readonly kind: 'declined'; readonly reason: string };

/**
 * What this account decided about a debit or credit leg of a transfer, if anything. The process
 * manager reads it after asking for the leg: applied, or declined with the recorded reason.
 */
export function transferLegOutcome(
  state: AccountState,
  kind: 'debit' | 'credit',
  transferId: string,
): TransferLegOutcome {
  if (state.status === 'none') return { kind: 'none' };
  if (state.transferLegs.has(legKey(kind, transferId))) return { kind: 'applied' };
  const reason = state.declinedLegs.get(legKey(kind, transferId));
  return reason === undefined ? { kind: 'none' } : { kind: 'declined', reason };
}

/**
 * Instants arrive as ISO-8601 strings. They are compared as instants, not as text: text order
 * breaks as soon as precision or offset differ ("…:00Z" sorts after "…:00.500Z").
 */
function instant(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms))
    throw new InvalidCommandError(`not an ISO-8601 instant: ${JSON.stringify(iso)}`);
  return ms;
}

function isAtOrAfter(now: string, moment: string): boolean {
  return instant(now) >= instant(moment);
}

function withLeg(
  state: OpenAccountState,
  kind: LegKind,
  transferId: string,
  delta: bigint,
): OpenAccountState {
  const transferLegs = new Set(state.transferLegs);
  transferLegs.add(legKey(kind, transferId));
  return { ...state, balance: state.balance + delta, transferLegs };
}

function refuseBadAmount(amount: bigint): Decision<never> | undefined {
  if (amount <= 0n || amount > MAX_AMOUNT_MINOR) {
    return reject('INVALID_AMOUNT', 'amount must be positive and at most the maximum amount');
  }
  return undefined;
}

function refuseUnlessOpen(state: OpenAccountState): Decision<never> | undefined {
  if (state.status === 'closed') return reject('ACCOUNT_CLOSED', 'account is closed');
  if (state.status === 'frozen') return reject('ACCOUNT_FROZEN', 'account is frozen');
  return undefined;
}

function refuseCredit(state: OpenAccountState, amount: bigint): Decision<never> | undefined {
  const refused = refuseUnlessOpen(state) ?? refuseBadAmount(amount);
  if (refused) return refused;
  if (state.balance + amount > MAX_BALANCE_MINOR) {
    return reject('BALANCE_LIMIT_EXCEEDED', 'the balance would exceed the largest balance allowed');
  }
  return undefined;
}

function refuseDebit(state: OpenAccountState, amount: bigint): Decision<never> | undefined {
  const refused = refuseUnlessOpen(state) ?? refuseBadAmount(amount);
  if (refused) return refused;
  if (availableBalance(state) - amount < 0n) {
    return reject('INSUFFICIENT_FUNDS', 'available balance is too low');
  }
  return undefined;
}

/** The account stream's decider. */
export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
};
