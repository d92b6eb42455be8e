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
  const ledger = new BatchLedger(accounts);
  const settled: SettledLeg[] = [];
  for (const [index, command] of legs.entries()) {
    const settlement = mustComplete(ledger.settle(command, transfers));
    if (!settlement.ok) return { ...settlement, index };
    ledger.apply(command, settlement);
    settled.push({ ...settlement, command });
  }
  return { ok: true, legs: settled, accounts: ledger.after };
}

/**
 * A leg of an independent batch the rules or its source refused: recorded as a failed transfer
 * (TransferRequested, then TransferFailed with the refusal's code as its reason), no account
 * touched, so the batch and GET /v1/transfers/{id} show its outcome.
 */
export type RefusedLeg = {
  readonly ok: false;
  readonly command: RequestTransferCommand;
  readonly rejection: Rejection;
  /** The stream the refusal rests on: the caller confirms it on a fresh read. */
  readonly on: SettlementStream;
  readonly requested: readonly TransferEvent[];
  readonly progress: readonly TransferEvent[];
};

export type IndependentLeg = SettledLeg | RefusedLeg;

/** How a batch ended: every leg completed, none did, or some. */
export type BatchStatus = 'completed' | 'partial' | 'failed';

/** A batch's status from its legs' final statuses: all completed, none, or some. */
export function batchStatusOf(legStatuses: readonly string[]): BatchStatus {
  const completed = legStatuses.filter((status) => status === 'completed').length;
  return completed === legStatuses.length ? 'completed' : completed === 0 ? 'failed' : 'partial';
}

export type IndependentBatchDecision = {
  readonly legs: readonly IndependentLeg[];
  readonly status: BatchStatus;
  /** Each listed account after every leg that applied. */
  readonly accounts: ReadonlyMap<string, AccountState>;
};

/**
 * Decides an independent batch: the legs in order, each on the account states the legs before it
 * left, each applied or refused on its own. A leg the destination declines is a failed transfer,
 * as a single transfer would be; a leg the rules or the source refuse is recorded as failed with
 * the refusal's code (RefusedLeg). Every leg is a new transfer.
 */
export function decideIndependentBatch(
  legs: readonly RequestTransferCommand[],
  accounts: ReadonlyMap<string, AccountState>,
  transfers: (transferId: string) => TransferState,
): IndependentBatchDecision {
  const ledger = new BatchLedger(accounts);
  const decided: IndependentLeg[] = legs.map((command) => {
    const settlement = ledger.settle(command, transfers);
    if (settlement.ok) {
      ledger.apply(command, settlement);
      return { ...settlement, command };
    }
    if (settlement.rejection.code === 'TRANSFER_ALREADY_EXISTS')
      throw new Error(`batch leg ${command.data.transferId} is recorded already`);
    return refusedLeg(command, settlement.rejection, settlement.on);
  });
  const status = batchStatusOf(
    decided.map((leg) => (leg.ok && leg.completes ? 'completed' : 'failed')),
  );
  return { legs: decided, status, accounts: ledger.after };
}

function refusedLeg(
  command: RequestTransferCommand,
  rejection: Rejection,
  on: SettlementStream,
): RefusedLeg {
  const { transferId, fromAccountId, toAccountId, amount, reference, batch } = command.data;
  return {
    ok: false,
    command,
    rejection,
    on,
    requested: [
      {
        type: 'TransferRequested',
        data: {
          transferId,
          fromAccountId,
          toAccountId,
          amount,
          currency: command.data.fromCurrency,
          reference,
          ...(batch === undefined
            ? {}
            : { batchId: batch.batchId, batchIndex: batch.index, batchMode: batch.mode }),
        },
      },
    ],
    progress: [{ type: 'TransferFailed', data: { transferId, reason: rejection.code } }],
  };
}

/** The account states of a batch as its legs apply, one after the other. */
class BatchLedger {
  readonly after: Map<string, AccountState>;

  constructor(accounts: ReadonlyMap<string, AccountState>) {
    this.after = new Map(accounts);
  }

  settle(
    command: RequestTransferCommand,
    transfers: (transferId: string) => TransferState,
  ): TransferSettlement {
    const { transferId, fromAccountId, toAccountId } = command.data;
    return settleTransfer(
      command,
      transfers(transferId),
      this.stateOf(fromAccountId),
      this.stateOf(toAccountId),
    );
  }

  apply(command: RequestTransferCommand, settled: Extract<TransferSettlement, { ok: true }>) {
    const { fromAccountId, toAccountId } = command.data;
    this.after.set(fromAccountId, settled.debit.reduce(evolveAccount, this.stateOf(fromAccountId)));
    this.after.set(toAccountId, settled.credit.reduce(evolveAccount, this.stateOf(toAccountId)));
  }

  private stateOf(accountId: string): AccountState {
    return this.after.get(accountId) ?? { status: 'none' };
  }
}

/**
 * A settlement that must move the money or be refused: a credit the destination declines (which
 * a single transfer records as failed) is a refusal here, with the destination's code.
 */
export function mustComplete(
  settlement: TransferSettlement,
):
  | Extract<TransferSettlement, { ok: true }>
  | { readonly ok: false; readonly rejection: Rejection; readonly on: SettlementStream } {
  if (!settlement.ok || settlement.completes) return settlement;
  const declined = settlement.credit[0];
  const reason = declined?.type === 'TransferCreditDeclined' ? declined.data.reason : '';
  return {
    ok: false,
    rejection: { code: asRejectionCode(reason), message: 'the destination refuses the credit' },
    on: 'destination',
  };
}

/** A declined credit records its rejection's code as the reason. */
function asRejectionCode(reason: string): RejectionCode {
  const code = REJECTION_CODES.find((known) => known === reason);
  if (code === undefined) throw new Error(`a declined credit with an unknown reason ${reason}`);
  return code;
}
