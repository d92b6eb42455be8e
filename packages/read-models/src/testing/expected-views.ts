import {
  decodeEvent,
  evolveAccount,
  evolveTransfer,
  initialAccountState,
  initialTransferState,
  TRANSFER_EVENT_TYPES,
  type AccountEvent,
  type AccountState,
  type TransferEvent,
  type TransferState,
} from '@bank/domain';

/** What the views must show for a set of stored events, computed with the domain's own evolve functions. */
export interface ExpectedViews {
  readonly accounts: Map<string, { state: AccountState; revision: bigint; position: bigint }>;
  readonly transfers: Map<
    string,
    { state: TransferState; revision: bigint; statusChanges: number }
  >;
  /** Signed amount per ledger event id, per account in revision order. */
  readonly ledger: Map<string, Array<{ eventId: string; revision: bigint; amount: bigint }>>;
  /** hold id → status and captured amount. */
  readonly holds: Map<string, { status: string; captured: bigint; amount: bigint }>;
  /** `${account}/${day}` → daily balance. */
  readonly daily: Map<
    string,
    { opening: bigint; closing: bigint; totalIn: bigint; totalOut: bigint }
  >;
}

interface Stored {
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

const TRANSFER_TYPES: ReadonlySet<string> = new Set(TRANSFER_EVENT_TYPES);

/** Folds the events (in position order) into the expected views. */
export function expectedViews(stored: readonly Stored[]): ExpectedViews {
  const views: ExpectedViews = {
    accounts: new Map(),
    transfers: new Map(),
    ledger: new Map(),
    holds: new Map(),
    daily: new Map(),
  };
  const sorted = [...stored].sort((a, b) => (a.position < b.position ? -1 : 1));
  for (const s of sorted) {
    const metadata = s.metadata as { occurredAt: string };
    const event = decodeEvent(s.type, s.data);
    if (TRANSFER_TYPES.has(event.type)) {
      const e = event as TransferEvent;
      const entry = views.transfers.get(e.data.transferId) ?? {
        state: initialTransferState,
        revision: -1n,
        statusChanges: 0,
      };
      views.transfers.set(e.data.transferId, {
        state: evolveTransfer(entry.state, e),
        revision: s.revision,
        // The timeline has a row per status change; a reversal of it changes no status.
        statusChanges: entry.statusChanges + (e.type === 'TransferReversed' ? 0 : 1),
      });
      continue;
    }
    const e = event as AccountEvent;
    const accountId = e.data.accountId;
    const before = views.accounts.get(accountId)?.state ?? initialAccountState;
    const after = evolveAccount(before, e);
    views.accounts.set(accountId, { state: after, revision: s.revision, position: s.position });
    const balanceOf = (state: AccountState): bigint =>
      state.status === 'none' ? 0n : state.balance;
    const delta = balanceOf(after) - balanceOf(before);
    const moves = [
      'FundsDeposited',
      'FundsWithdrawn',
      'HoldCaptured',
      'TransferDebited',
      'TransferCredited',
      'TransferRefunded',
    ];
    if (moves.includes(e.type)) {
      const entries = views.ledger.get(accountId) ?? [];
      entries.push({ eventId: s.eventId, revision: s.revision, amount: delta });
      views.ledger.set(accountId, entries);
      const key = `${accountId}/${new Date(metadata.occurredAt).toISOString().slice(0, 10)}`;
      const day = views.daily.get(key) ?? {
        opening: balanceOf(before),
        closing: 0n,
        totalIn: 0n,
        totalOut: 0n,
      };
      day.closing = balanceOf(after);
      if (delta >= 0n) day.totalIn += delta;
      else day.totalOut -= delta;
      views.daily.set(key, day);
    }
    if (e.type === 'HoldPlaced') {
      views.holds.set(e.data.holdId, { status: 'open', captured: 0n, amount: e.data.amount });
    } else if (e.type === 'HoldCaptured') {
      views.holds.set(e.data.holdId, {
        status: 'captured',
        captured: e.data.amount,
        amount: e.data.amount + e.data.released,
      });
    } else if (e.type === 'HoldReleased' || e.type === 'HoldExpired') {
      const hold = views.holds.get(e.data.holdId);
      views.holds.set(e.data.holdId, {
        status: e.type === 'HoldReleased' ? 'released' : 'expired',
        captured: 0n,
        amount: hold?.amount ?? e.data.amount,
      });
    }
  }
  return views;
}
