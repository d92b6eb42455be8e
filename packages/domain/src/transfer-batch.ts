import { debitRefusal, decideAccount, evolveAccount, type AccountState } from './account.js';
import { REJECTION_CODES, type Rejection, type RejectionCode } from './decision.js';
import type { AccountEvent, TransferEvent } from './events.js';
import { decideTransfer, type TransferCommand, type TransferState } from './transfer.js';

export type RequestTransferCommand = Extract<TransferCommand, { type: 'RequestTransfer' }>;

/** The most legs one batch may carry (the caller refuses more, and none, as bad input). */
export const MAX_BATCH_LEGS = 1000;

/** Which stream a transfer's refusal rests on: the caller re-reads that one before answering. */
export type SettlementStream = 'transfer' | 'source' | 'destination';

/**
 * A transfer decided on the transfer's state and both account states at once (what one atomic
 * append records): the transfer stream's events, and each account's leg. When the destination
 * refuses the credit (frozen, closed) the transfer still settles, as failed, the source untouched.
 */
export type TransferSettlement =
  | {
      readonly ok: true;
      /** True: money moved. False: the destination declined the credit; recorded as failed. */
      readonly completes: boolean;
      /** TransferRequested: the command's own event on the transfer stream. */
      readonly requested: readonly TransferEvent[];
      /** The rest of the transfer's timeline, all true at once. */
      readonly progress: readonly TransferEvent[];
      /** TransferDebited, or nothing when the transfer fails. */
      readonly debit: readonly AccountEvent[];
      /** TransferCredited or TransferCreditDeclined. */
      readonly credit: readonly AccountEvent[];
    }
  | { readonly ok: false; readonly rejection: Rejection; readonly on: SettlementStream };

/**
 * The accounts already hold the legs of a transfer its own state calls new. Decided on states
 * read just now this never happens; decided on a cache that had the accounts but not the
 * transfer's stream (another instance recorded it), it means: read again, it is a replay.
 */
export class TransferLegsRecordedError extends Error {
  constructor(readonly transferId: string) {
    super(`transfer ${transferId}: its legs are already on the accounts`);
  }
}

/**
 * Settles one transfer: refused (nothing to append) when the transfer rules refuse it (same
 * account, other currency, a bad amount, an id in use) or the source cannot pay (too little
 * available, frozen, closed); otherwise the events of a completed transfer, or of a failed one
 * when the destination refuses the credit.
 */
export function settleTransfer(
  command: RequestTransferCommand,
  transfer: TransferState,
  source: AccountState,
  destination: AccountState,
): TransferSettlement {
  const { transferId, fromAccountId, toAccountId, amount } = command.data;
  const requested = decideTransfer(command, transfer);
  if (!requested.ok) return { ok: false, rejection: requested.rejection, on: 'transfer' };
  const refusal = debitRefusal(source, amount);
  if (refusal) return { ok: false, rejection: refusal, on: 'source' };
  const leg = { transferId, amount };
  const debit = decideAccount(
    { type: 'DebitForTransfer', data: { ...leg, counterpartyAccountId: toAccountId } },
    source,
  );
  if (!debit.ok) return { ok: false, rejection: debit.rejection, on: 'source' };
  const credit = decideAccount(
    { type: 'CreditForTransfer', data: { ...leg, counterpartyAccountId: fromAccountId } },
    destination,
  );
  if (!credit.ok) return { ok: false, rejection: credit.rejection, on: 'destination' };
  const debited = debit.events[0];
  const credited = credit.events[0];
  if (debited?.type !== 'TransferDebited' || credited === undefined)
    throw new TransferLegsRecordedError(transferId);
  if (credited.type === 'TransferCredited') {
    return {
      ok: true,
      completes: true,
      requested: requested.events,
      progress: [
        { type: 'TransferSourceDebited', data: { transferId } },
        { type: 'TransferDestinationCredited', data: { transferId } },
        { type: 'TransferCompleted', data: { transferId } },
      ],
      debit: [debited],
      credit: [credited],
    };
  }
  const reason = credited.type === 'TransferCreditDeclined' ? credited.data.reason : 'refused';
  return {
    ok: true,
    completes: false,
    requested: requested.events,
    progress: [{ type: 'TransferFailed', data: { transferId, reason } }],
    debit: [],
    credit: [credited],
  };
}

/** One leg of an atomic batch, as recorded: its transfer's events and its accounts' legs. */
export type SettledLeg = Extract<TransferSettlement, { ok: true }> & {
  readonly command: RequestTransferCommand;
};

export type AtomicBatchDecision =
  | {
      readonly ok: true;
      readonly legs: readonly SettledLeg[];
      /** Each listed account after every leg. */
      readonly accounts: ReadonlyMap<string, AccountState>;
    }
  | {
      readonly ok: false;
      /** The first leg refused (0-based), the batch refused with it. */
      readonly index: number;
      readonly rejection: Rejection;
      readonly on: SettlementStream;
    };

/**
 * Decides an atomic batch: the legs in order, each on the account states the earlier legs left
 * (A→B then B→C: the second leg may spend what the first brought), every leg a new transfer.
 * Every leg completes or the batch is refused at its first leg that would not (refused outright,
 * or a credit the destination declines), and nothing is recorded: all or none.
 */
export function decideAtomicBatch(
  legs: readonly RequestTransferCommand[],
  accounts: ReadonlyMap<string, AccountState>,
  transfers: (transferId: string) => TransferState,
): AtomicBatchDecision {
  const after = new Map(accounts);
  const settled: SettledLeg[] = [];
  const stateOf = (accountId: string): AccountState =>
    after.get(accountId) ?? { status: 'none' as const };
  for (const [index, command] of legs.entries()) {
    const { fromAccountId, toAccountId } = command.data;
    const settlement = settleTransfer(
      command,
      transfers(command.data.transferId),
      stateOf(fromAccountId),
      stateOf(toAccountId),
    );
    if (!settlement.ok) return { ...settlement, index };
    if (!settlement.completes) {
      const declined = settlement.credit[0];
      const reason = declined?.type === 'TransferCreditDeclined' ? declined.data.reason : '';
      return {
        ok: false,
        index,
        rejection: { code: asRejectionCode(reason), message: 'the destination refuses the credit' },
        on: 'destination',
      };
    }
    after.set(fromAccountId, settlement.debit.reduce(evolveAccount, stateOf(fromAccountId)));
    after.set(toAccountId, settlement.credit.reduce(evolveAccount, stateOf(toAccountId)));
    settled.push({ ...settlement, command });
  }
  return { ok: true, legs: settled, accounts: after };
}

/** A declined credit records its rejection's code as the reason. */
function asRejectionCode(reason: string): RejectionCode {
  const code = REJECTION_CODES.find((known) => known === reason);
  if (code === undefined) throw new Error(`a declined credit with an unknown reason ${reason}`);
  return code;
}
