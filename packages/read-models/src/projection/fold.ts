import {
  assertNever,
  TRANSFER_EVENT_TYPES,
  type AccountEvent,
  type BankEvent,
  type TransferEvent,
} from '@bank/domain';
import { ProjectionInvariantError, StreamGapError } from './errors.js';
import type { ProjectionEvent } from './projection-event.js';
import {
  dailyKey,
  holdKey,
  utcDay,
  type AccountRow,
  type DailyBalanceRow,
  type HoldRow,
  type LedgerEntryRow,
  type LedgerEntryType,
  type TransferRow,
  type TransferStatusRow,
} from '../tables/index.js';

/** The rows a batch of events reads: loaded before the fold (see load.ts). */
export interface ViewState {
  /** Last applied revision per stream; a stream never applied is absent (or -1). */
  readonly streams: Map<string, bigint>;
  readonly accounts: Map<string, AccountRow>;
  /** By holdKey(account, hold). */
  readonly holds: Map<string, HoldRow>;
  readonly transfers: Map<string, TransferRow>;
  /** By dailyKey(account, day). */
  readonly daily: Map<string, DailyBalanceRow>;
}

/** What the fold changed: whole rows to upsert, new rows to insert. */
export interface ViewChanges {
  readonly streams: Map<string, bigint>;
  readonly accounts: Map<string, AccountRow>;
  readonly holds: Map<string, HoldRow>;
  readonly transfers: Map<string, TransferRow>;
  readonly daily: Map<string, DailyBalanceRow>;
  readonly ledgerEntries: LedgerEntryRow[];
  readonly transferHistory: TransferStatusRow[];
  applied: number;
  /** Redeliveries: events at or below their stream's applied revision. */
  skipped: number;
  /** occurredAt of the last applied event. */
  lastOccurredAt: string | undefined;
}

export function emptyViewState(): ViewState {
  return {
    streams: new Map(),
    accounts: new Map(),
    holds: new Map(),
    transfers: new Map(),
    daily: new Map(),
  };
}

/**
 * Folds a batch of events into the views, in memory. Pure: the state maps are read, and every
 * touched row is copied into the changes before it is modified, so a failed fold leaves the state
 * as it was. Per stream, an event applies only when its revision is exactly one past the last
 * applied; lower is a redelivery (skipped), higher a gap (StreamGapError).
 */
export function foldEvents(state: ViewState, events: readonly ProjectionEvent[]): ViewChanges {
  const changes: ViewChanges = {
    streams: new Map(),
    accounts: new Map(),
    holds: new Map(),
    transfers: new Map(),
    daily: new Map(),
    ledgerEntries: [],
    transferHistory: [],
    applied: 0,
    skipped: 0,
    lastOccurredAt: undefined,
  };
  const view = new BatchView(state, changes);
  for (const recorded of events) {
    const last =
      changes.streams.get(recorded.streamId) ?? state.streams.get(recorded.streamId) ?? -1n;
    if (recorded.revision <= last) {
      changes.skipped += 1;
      continue;
    }
    if (recorded.revision !== last + 1n) {
      throw new StreamGapError(recorded.streamId, last + 1n, recorded.revision, recorded.eventId);
    }
    const event = recorded.event;
    if (isTransferEvent(event)) applyTransferEvent(view, recorded, event);
    else applyAccountEvent(view, recorded, event);
    changes.streams.set(recorded.streamId, recorded.revision);
    changes.applied += 1;
    changes.lastOccurredAt = recorded.occurredAt;
  }
  return changes;
}

const TRANSFER_TYPES: ReadonlySet<string> = new Set(TRANSFER_EVENT_TYPES);
const isTransferEvent = (event: BankEvent): event is TransferEvent =>
  TRANSFER_TYPES.has(event.type);

/** Copy-on-write access to the rows of a batch. */
class BatchView {
  constructor(
    private readonly state: ViewState,
    readonly changes: ViewChanges,
  ) {}

  hasLoadedAccount(accountId: string): boolean {
    return this.state.accounts.has(accountId);
  }

  account(recorded: ProjectionEvent, accountId: string): AccountRow {
    const changed = this.changes.accounts.get(accountId);
    if (changed) return changed;
    const loaded = this.state.accounts.get(accountId);
    if (!loaded)
      throw new ProjectionInvariantError(
        recorded.streamId,
        recorded.eventId,
        'account was never opened',
      );
    const copy = { ...loaded };
    this.changes.accounts.set(accountId, copy);
    return copy;
  }

  hold(recorded: ProjectionEvent, accountId: string, holdId: string): HoldRow {
    const key = holdKey(accountId, holdId);
    const changed = this.changes.holds.get(key);
    if (changed) return changed;
    const loaded = this.state.holds.get(key);
    if (!loaded)
      throw new ProjectionInvariantError(
        recorded.streamId,
        recorded.eventId,
        `hold ${holdId} was never placed`,
      );
    const copy = { ...loaded };
    this.changes.holds.set(key, copy);
    return copy;
  }

  transfer(recorded: ProjectionEvent, transferId: string): TransferRow {
    const changed = this.changes.transfers.get(transferId);
    if (changed) return changed;
    const loaded = this.state.transfers.get(transferId);
    if (!loaded)
      throw new ProjectionInvariantError(
        recorded.streamId,
        recorded.eventId,
        'transfer was never requested',
      );
    const copy = { ...loaded };
    this.changes.transfers.set(transferId, copy);
    return copy;
  }

  /** The day row of an account, created with the balance before `opening` when new. */
  daily(accountId: string, day: string, opening: bigint): DailyBalanceRow {
    const key = dailyKey(accountId, day);
    const changed = this.changes.daily.get(key);
    if (changed) return changed;
    const loaded = this.state.daily.get(key);
    const row: DailyBalanceRow = loaded
      ? { ...loaded }
      : {
          account_id: accountId,
          day,
          opening_balance: opening,
          closing_balance: opening,
          total_in: 0n,
          total_out: 0n,
        };
    this.changes.daily.set(key, row);
    return row;
  }
}

function applyAccountEvent(view: BatchView, recorded: ProjectionEvent, event: AccountEvent): void {
  const at = recorded.occurredAt;
  if (event.type === 'AccountOpened') {
    if (
      view.changes.accounts.has(event.data.accountId) ||
      view.hasLoadedAccount(event.data.accountId)
    ) {
      throw new ProjectionInvariantError(
        recorded.streamId,
        recorded.eventId,
        'account opened twice',
      );
    }
    const row: AccountRow = {
      account_id: event.data.accountId,
      owner_id: event.data.ownerId,
      currency: event.data.currency,
      type: event.data.accountType,
      status: 'open',
      balance: 0n,
      held: 0n,
      overdraft_limit: event.data.overdraftLimit,
      available: event.data.overdraftLimit,
      revision: recorded.revision,
      last_position: recorded.position,
      opened_at: at,
      updated_at: at,
    };
    view.changes.accounts.set(row.account_id, row);
    return;
  }
  const account = view.account(recorded, event.data.accountId);
  const money = (
    type: LedgerEntryType,
    amount: bigint,
    refs: Partial<Pick<LedgerEntryRow, 'counterparty_account_id' | 'transfer_id' | 'hold_id'>> = {},
  ): void => {
    const before = account.balance;
    account.balance += amount;
    const day = view.daily(account.account_id, utcDay(at), before);
    day.closing_balance = account.balance;
    if (amount >= 0n) day.total_in += amount;
    else day.total_out -= amount;
    view.changes.ledgerEntries.push({
      account_id: account.account_id,
      revision: recorded.revision,
      event_id: recorded.eventId,
      position: recorded.position,
      type,
      amount,
      balance_after: account.balance,
      currency: account.currency,
      counterparty_account_id: refs.counterparty_account_id ?? null,
      transfer_id: refs.transfer_id ?? null,
      hold_id: refs.hold_id ?? null,
      occurred_at: at,
    });
  };

  switch (event.type) {
    case 'FundsDeposited':
      money('deposit', event.data.amount);
      break;
    case 'FundsWithdrawn':
      money('withdrawal', -event.data.amount);
      break;
    case 'HoldPlaced': {
      const key = holdKey(account.account_id, event.data.holdId);
      view.changes.holds.set(key, {
        account_id: account.account_id,
        hold_id: event.data.holdId,
        amount: event.data.amount,
        captured_amount: 0n,
        status: 'open',
        expires_at:
          event.data.expiresAt === null ? null : new Date(event.data.expiresAt).toISOString(),
        placed_at: at,
        updated_at: at,
      });
      account.held += event.data.amount;
      break;
    }
    case 'HoldCaptured': {
      const hold = view.hold(recorded, account.account_id, event.data.holdId);
      closeHold(recorded, hold, 'captured', at);
      hold.captured_amount = event.data.amount;
      // The hold's whole amount stops being held: the captured part leaves, the rest is freed.
      account.held -= hold.amount;
      money('hold_capture', -event.data.amount, { hold_id: event.data.holdId });
      break;
    }
    case 'HoldReleased':
    case 'HoldExpired': {
      const hold = view.hold(recorded, account.account_id, event.data.holdId);
      closeHold(recorded, hold, event.type === 'HoldReleased' ? 'released' : 'expired', at);
      account.held -= hold.amount;
      break;
    }
    case 'AccountFrozen':
      account.status = 'frozen';
      break;
    case 'AccountUnfrozen':
      account.status = 'open';
      break;
    case 'OverdraftLimitChanged':
      account.overdraft_limit = event.data.overdraftLimit;
      break;
    case 'AccountClosed':
      account.status = 'closed';
      break;
    case 'TransferDebited':
      money('transfer_out', -event.data.amount, transferRefs(event.data));
      break;
    case 'TransferCredited':
      money('transfer_in', event.data.amount, transferRefs(event.data));
      break;
    case 'TransferRefunded':
      money('transfer_refund', event.data.amount, transferRefs(event.data));
      break;
    case 'TransferDebitDeclined':
    case 'TransferCreditDeclined':
      // A refused leg moves no money; the transfer's own stream carries the failure reason.
      break;
    default:
      assertNever(event);
  }
  account.available = account.balance - account.held + account.overdraft_limit;
  account.revision = recorded.revision;
  account.last_position = recorded.position;
  account.updated_at = at;
}

function transferRefs(data: { transferId: string; counterpartyAccountId: string }) {
  return { transfer_id: data.transferId, counterparty_account_id: data.counterpartyAccountId };
}

function closeHold(
  recorded: ProjectionEvent,
  hold: HoldRow,
  status: HoldRow['status'],
  at: string,
): void {
  if (hold.status !== 'open') {
    throw new ProjectionInvariantError(
      recorded.streamId,
      recorded.eventId,
      `hold ${hold.hold_id} is already ${hold.status}`,
    );
  }
  hold.status = status;
  hold.updated_at = at;
}

const TRANSFER_STATUS: Record<
  Exclude<TransferEvent['type'], 'TransferRequested' | 'TransferReversed'>,
  string
> = {
  TransferSourceDebited: 'source_debited',
  TransferDestinationCredited: 'destination_credited',
  TransferSourceRefunded: 'source_refunded',
  TransferCompleted: 'completed',
  TransferFailed: 'failed',
};

function applyTransferEvent(
  view: BatchView,
  recorded: ProjectionEvent,
  event: TransferEvent,
): void {
  const at = recorded.occurredAt;
  let reason: string | null = null;
  let row: TransferRow;
  if (event.type === 'TransferRequested') {
    if (view.changes.transfers.has(event.data.transferId)) {
      throw new ProjectionInvariantError(
        recorded.streamId,
        recorded.eventId,
        'transfer requested twice',
      );
    }
    row = {
      transfer_id: event.data.transferId,
      from_account_id: event.data.fromAccountId,
      to_account_id: event.data.toAccountId,
      amount: event.data.amount,
      currency: event.data.currency,
      reference: event.data.reference,
      status: 'requested',
      failure_reason: null,
      batch_id: event.data.batchId ?? null,
      batch_index: event.data.batchIndex ?? null,
      batch_mode: event.data.batchMode ?? null,
      reversal_of: event.data.reversalOf ?? null,
      reversed_amount: 0n,
      revision: recorded.revision,
      requested_at: at,
      updated_at: at,
    };
    view.changes.transfers.set(row.transfer_id, row);
  } else if (event.type === 'TransferReversed') {
    // Money moved back by another transfer: this one keeps its status and timeline.
    row = view.transfer(recorded, event.data.transferId);
    row.reversed_amount += event.data.amount;
    row.revision = recorded.revision;
    row.updated_at = at;
    return;
  } else {
    row = view.transfer(recorded, event.data.transferId);
    row.status = TRANSFER_STATUS[event.type];
    if (event.type === 'TransferSourceRefunded' || event.type === 'TransferFailed') {
      reason = event.data.reason;
      row.failure_reason = event.data.reason;
    }
    row.revision = recorded.revision;
    row.updated_at = at;
  }
  view.changes.transferHistory.push({
    transfer_id: row.transfer_id,
    revision: recorded.revision,
    status: row.status,
    reason,
    at,
  });
}
