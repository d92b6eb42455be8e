import {
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
import type { RawEvent } from './projection/projection-event.js';

/** An account as the event store implies it. */
export interface ImpliedAccount {
  state: AccountState;
  /** Revision and global position of its last event. */
  revision: bigint;
  position: bigint;
  /** How many ledger entries its events make, and the sum of their signed amounts. */
  ledgerCount: bigint;
  ledgerSum: bigint;
}

export interface ImpliedTransfer {
  state: TransferState;
  revision: bigint;
  /** Rows of its status timeline: one per event but a reversal of it. */
  statusChanges: number;
}

export interface ImpliedLedgerEntry {
  readonly eventId: string;
  readonly revision: bigint;
  /** Signed minor units. */
  readonly amount: bigint;
}

export interface ImpliedHold {
  readonly status: string;
  readonly captured: bigint;
  readonly amount: bigint;
}

export interface ImpliedDay {
  opening: bigint;
  closing: bigint;
  totalIn: bigint;
  totalOut: bigint;
}

const TRANSFER_TYPES: ReadonlySet<string> = new Set(TRANSFER_EVENT_TYPES);
const NO_STRINGS: ReadonlySet<string> = new Set();
const NO_AMOUNTS: ReadonlyMap<string, bigint> = new Map();
const NO_REASONS: ReadonlyMap<string, string> = new Map();

/**
 * The views the event store implies, folded with the domain's own evolve functions (not the
 * projection's fold), one event at a time in global order. Without `detail`, memory grows with
 * the number of accounts and transfers, not events: the parts of the account state that grow
 * with history and that no view shows (transfer legs, hold ids ever used) are dropped after each
 * event; open holds stay, capture needs them. With `detail`, every ledger entry, hold and day row
 * is kept as well.
 */
export class ImpliedViews {
  readonly accounts = new Map<string, ImpliedAccount>();
  readonly transfers = new Map<string, ImpliedTransfer>();
  /** Ledger entries per account in revision order (with `detail`). */
  readonly ledger = new Map<string, ImpliedLedgerEntry[]>();
  /** By hold id (with `detail`). */
  readonly holds = new Map<string, ImpliedHold>();
  /** By `${account}/${day}` (with `detail`). */
  readonly daily = new Map<string, ImpliedDay>();
  /** Events the domain cannot decode: they change no view. */
  readonly undecodable: Array<{
    position: bigint;
    eventId: string;
    streamId: string;
    error: string;
  }> = [];

  constructor(private readonly options: { readonly detail?: boolean } = {}) {}

  apply(recorded: RawEvent): void {
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
      const entry = this.transfers.get(id) ?? {
        state: initialTransferState,
        revision: -1n,
        statusChanges: 0,
      };
      entry.state = evolveTransfer(entry.state, transferEvent);
      entry.revision = recorded.revision;
      if (transferEvent.type !== 'TransferReversed') entry.statusChanges += 1;
      this.transfers.set(id, entry);
      return;
    }
    const accountEvent = event as AccountEvent;
    const id = accountEvent.data.accountId;
    const entry = this.accounts.get(id) ?? {
      state: initialAccountState,
      revision: -1n,
      position: -1n,
      ledgerCount: 0n,
      ledgerSum: 0n,
    };
    const before = entry.state;
    entry.state = compact(evolveAccount(before, accountEvent));
    entry.revision = recorded.revision;
    entry.position = recorded.position;
    const delta = ledgerDelta(accountEvent);
    if (delta !== undefined) {
      entry.ledgerCount += 1n;
      entry.ledgerSum += delta;
    }
    this.accounts.set(id, entry);
    if (this.options.detail) this.applyDetail(recorded, accountEvent, before, entry.state, delta);
  }

  private applyDetail(
    recorded: RawEvent,
    event: AccountEvent,
    before: AccountState,
    after: AccountState,
    delta: bigint | undefined,
  ): void {
    const accountId = event.data.accountId;
    if (delta !== undefined) {
      const entries = this.ledger.get(accountId) ?? [];
      entries.push({ eventId: recorded.eventId, revision: recorded.revision, amount: delta });
      this.ledger.set(accountId, entries);
      const { occurredAt } = recorded.metadata as { occurredAt: string };
      const key = `${accountId}/${new Date(occurredAt).toISOString().slice(0, 10)}`;
      const day = this.daily.get(key) ?? {
        opening: balanceOf(before),
        closing: 0n,
        totalIn: 0n,
        totalOut: 0n,
      };
      day.closing = balanceOf(after);
      if (delta >= 0n) day.totalIn += delta;
      else day.totalOut -= delta;
      this.daily.set(key, day);
    }
    if (event.type === 'HoldPlaced') {
      this.holds.set(event.data.holdId, {
        status: 'open',
        captured: 0n,
        amount: event.data.amount,
      });
    } else if (event.type === 'HoldCaptured') {
      this.holds.set(event.data.holdId, {
        status: 'captured',
        captured: event.data.amount,
        amount: event.data.amount + event.data.released,
      });
    } else if (event.type === 'HoldReleased' || event.type === 'HoldExpired') {
      const hold = this.holds.get(event.data.holdId);
      this.holds.set(event.data.holdId, {
        status: event.type === 'HoldReleased' ? 'released' : 'expired',
        captured: 0n,
        amount: hold?.amount ?? event.data.amount,
      });
    }
  }
}

const balanceOf = (state: AccountState): bigint => (state.status === 'none' ? 0n : state.balance);

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

function decode(recorded: RawEvent): BankEvent | Error {
  try {
    return decodeRecorded(recorded.type, recorded.data, recorded.metadata);
  } catch (error) {
    return error as Error;
  }
}
