import {
  availableBalance,
  decodeRecorded,
  evolveAccount,
  evolveTransfer,
  initialAccountState,
  initialTransferState,
  TRANSFER_EVENT_TYPES,
  type AccountEvent,
  type AccountState,
  type BankEvent,
  type TransferEvent,
  type TransferState,
} from '@bank/domain';
import type { RecordedEvent } from '@bank/event-store';

/** What the event store says an account should look like in the views. */
export interface ExpectedAccount {
  state: AccountState;
  revision: bigint;
  ledgerCount: bigint;
  ledgerSum: bigint;
}

export interface ExpectedTransfer {
  state: TransferState;
  revision: bigint;
}

/** The values verify compares, from the folded state. */
export interface AccountFacts {
  readonly exists: boolean;
  readonly status: string;
  readonly balance: bigint;
  readonly held: bigint;
  readonly available: bigint;
  readonly revision: bigint;
  readonly ledgerCount: bigint;
  readonly ledgerSum: bigint;
  readonly currency: string;
}

export interface TransferFacts {
  readonly exists: boolean;
  readonly status: string;
  readonly revision: bigint;
  /** The batch the transfer is a leg of; null for a transfer on its own. */
  readonly batchId: string | null;
  /** How much of the transfer reversals moved back, minor units. */
  readonly reversedAmount: bigint;
}

const TRANSFER_TYPES: ReadonlySet<string> = new Set(TRANSFER_EVENT_TYPES);
const NO_STRINGS: ReadonlySet<string> = new Set();
const NO_AMOUNTS: ReadonlyMap<string, bigint> = new Map();
const NO_REASONS: ReadonlyMap<string, string> = new Map();

/**
 * The event store folded with the domain's own evolve functions, one entry per account and
 * transfer. Memory grows with the number of accounts and transfers, not events: the parts of
 * the account state that grow with history and that no view shows (transfer legs, hold ids
 * ever used) are dropped after each event; open holds stay, capture needs them.
 */
export class FoldedStore {
  readonly accounts = new Map<string, ExpectedAccount>();
  readonly transfers = new Map<string, ExpectedTransfer>();
  /** Events the domain cannot decode: reported as problems of their own. */
  readonly undecodable: Array<{
    position: bigint;
    eventId: string;
    streamId: string;
    error: string;
  }> = [];

  apply(recorded: RecordedEvent): void {
    const event = decode(recorded);
    if (event instanceof Error) {
      this.undecodable.push({
        position: recorded.position,
        eventId: recorded.eventId,
        streamId: recorded.streamId,
        error: event.message,
      });
      return;
    }
    if (TRANSFER_TYPES.has(event.type)) {
      const transferEvent = event as TransferEvent;
      const id = transferEvent.data.transferId;
      const entry = this.transfers.get(id) ?? { state: initialTransferState, revision: -1n };
      entry.state = evolveTransfer(entry.state, transferEvent);
      entry.revision = recorded.revision;
      this.transfers.set(id, entry);
      return;
    }
    const accountEvent = event as AccountEvent;
    const id = accountEvent.data.accountId;
    const entry = this.accounts.get(id) ?? {
      state: initialAccountState,
      revision: -1n,
      ledgerCount: 0n,
      ledgerSum: 0n,
    };
    entry.state = compact(evolveAccount(entry.state, accountEvent));
    entry.revision = recorded.revision;
    const delta = ledgerDelta(accountEvent);
    if (delta !== undefined) {
      entry.ledgerCount += 1n;
      entry.ledgerSum += delta;
    }
    this.accounts.set(id, entry);
  }
}

/** Folds one stream read on its own (the recheck of a difference). */
export function foldOne(events: readonly RecordedEvent[]): FoldedStore {
  const folded = new FoldedStore();
  for (const event of events) folded.apply(event);
  return folded;
}

export function accountFacts(entry: ExpectedAccount | undefined): AccountFacts {
  const state = entry?.state;
  if (!entry || !state || state.status === 'none') {
    return {
      exists: false,
      status: 'none',
      balance: 0n,
      held: 0n,
      available: 0n,
      revision: -1n,
      ledgerCount: 0n,
      ledgerSum: 0n,
      currency: '',
    };
  }
  return {
    exists: true,
    status: state.status,
    balance: state.balance,
    held: state.heldTotal,
    available: availableBalance(state),
    revision: entry.revision,
    ledgerCount: entry.ledgerCount,
    ledgerSum: entry.ledgerSum,
    currency: state.currency,
  };
}

/** What a transfer no stream shows looks like. */
export const NO_TRANSFER: TransferFacts = {
  exists: false,
  status: 'none',
  revision: -1n,
  batchId: null,
  reversedAmount: 0n,
};

export function transferFacts(entry: ExpectedTransfer | undefined): TransferFacts {
  if (!entry || entry.state.status === 'none') return NO_TRANSFER;
  const { status, batchId, reversedAmount } = entry.state;
  return {
    exists: true,
    status,
    revision: entry.revision,
    batchId: batchId ?? null,
    reversedAmount,
  };
}

/** The signed ledger amount an event writes, or undefined when it writes no ledger entry. */
function ledgerDelta(event: AccountEvent): bigint | undefined {
  switch (event.type) {
    case 'FundsDeposited':
    case 'TransferCredited':
    case 'TransferRefunded':
      return event.data.amount;
    case 'FundsWithdrawn':
    case 'HoldCaptured':
    case 'TransferDebited':
      return -event.data.amount;
    case 'AccountOpened':
    case 'HoldPlaced':
    case 'HoldReleased':
    case 'HoldExpired':
    case 'AccountFrozen':
    case 'AccountUnfrozen':
    case 'OverdraftLimitChanged':
    case 'AccountClosed':
    case 'TransferDebitDeclined':
    case 'TransferCreditDeclined':
      return undefined;
  }
}

function compact(state: AccountState): AccountState {
  if (state.status === 'none') return state;
  return {
    ...state,
    transferLegs: NO_STRINGS,
    transferDebits: NO_AMOUNTS,
    holdIds: NO_STRINGS,
    declinedLegs: NO_REASONS,
  };
}

function decode(recorded: RecordedEvent): BankEvent | Error {
  try {
    return decodeRecorded(recorded.type, recorded.data, recorded.metadata);
  } catch (error) {
    return error as Error;
  }
}
