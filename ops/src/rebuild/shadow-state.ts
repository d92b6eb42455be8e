import {
  dailyKey,
  emptyViewState,
  holdKey,
  loadAccounts,
  loadDaily,
  loadHolds,
  loadTransfers,
  viewKeysOf,
  type AccountRow,
  type DailyBalanceRow,
  type HoldRow,
  type LedgerEntryRow,
  type ProjectionEvent,
  type TransferRow,
  type TransferStatusRow,
  type ViewChanges,
  type ViewState,
} from '@bank/read-models';
import { toBigInt } from '@bank/platform/core';
import type { Knex } from 'knex';
import { RowCache } from './row-cache.js';

export interface StreamRow {
  readonly stream_id: string;
  readonly revision: bigint;
}

/** A flush's rows of one table by key: new ones (inserted) and changed ones (updated). */
export interface TableRows<R> {
  readonly inserts: Map<string, R>;
  readonly updates: Map<string, R>;
}

/**
 * Everything one flush (one transaction) writes to the shadow tables: the changes of one or more
 * pages, merged. A row changed by several of them is written once, with its last value.
 */
export class FlushRows {
  readonly streams = tableRows<StreamRow>();
  readonly accounts = tableRows<AccountRow>();
  readonly holds = tableRows<HoldRow>();
  readonly transfers = tableRows<TransferRow>();
  readonly daily = tableRows<DailyBalanceRow>();
  readonly ledgerEntries: LedgerEntryRow[] = [];
  readonly transferHistory: TransferStatusRow[] = [];
  /** occurredAt of the last applied event. */
  lastOccurredAt: string | undefined;

  constructor(
    /** The flush's sequence number (1, 2, ...): the order the flushes commit in. */
    readonly seq: number,
  ) {}
}

const tableRows = <R>(): TableRows<R> => ({ inserts: new Map(), updates: new Map() });

/**
 * The rebuild's view of the shadow tables between pages. The rebuild is their only writer (it
 * holds the rebuild lock, and nobody reads them before the swap), so what it wrote is known
 * without reading it back: the rows and stream revisions are kept in bounded caches, and a page
 * reads from the shadow only the rows it touches that are not cached. The fold is the
 * projection's own (`foldEvents`), given exactly the rows the live path would load.
 */
export class ShadowState {
  private readonly streams: RowCache<bigint>;
  private readonly accounts: RowCache<AccountRow>;
  private readonly holds: RowCache<HoldRow>;
  private readonly transfers: RowCache<TransferRow>;
  private readonly daily: RowCache<DailyBalanceRow>;
  /**
   * Accounts this run opened, with the newest day row it wrote for each: the shadow holds no
   * day row of such an account after that day, so a later day needs no look-up even when the
   * day rows no longer fit the cache. Bounded like the caches (forgetting only costs look-ups).
   */
  private readonly newestDays: Map<string, string> = new Map();
  private committedFlush = 0;

  /**
   * @param shadowDb reads the shadow tables (its search_path is the shadow schema)
   * @param capacity rows per table kept in memory between pages
   * @param empty the shadow tables are empty: a row that is not cached does not exist
   */
  constructor(
    private readonly shadowDb: Knex,
    private readonly capacity: number,
    empty: boolean,
  ) {
    this.streams = new RowCache(capacity, empty);
    this.accounts = new RowCache(capacity, empty);
    this.holds = new RowCache(capacity, empty);
    this.transfers = new RowCache(capacity, empty);
    this.daily = new RowCache(capacity, empty);
  }

  /** Every row the page's events may read or create, as the shadow holds it after earlier flushes. */
  async viewStateFor(events: readonly ProjectionEvent[]): Promise<ViewState> {
    // HoldPlaced keys too: a page must know whether each row it writes exists (insert or update).
    const keys = viewKeysOf(events, true);
    const state = emptyViewState();
    const holdKeys = new Map(keys.holds.map((k) => [holdKey(k.account_id, k.hold_id), k]));
    const dayKeys = new Map(keys.days.map((k) => [dailyKey(k.account_id, k.day), k]));
    const streams = this.streams.lookup(new Set(events.map((e) => e.streamId)), state.streams);
    const accounts = this.accounts.lookup(keys.accountIds, state.accounts);
    const holds = this.holds.lookup(holdKeys.keys(), state.holds);
    const transfers = this.transfers.lookup(keys.transferIds, state.transfers);
    const daily = this.daily
      .lookup(dayKeys.keys(), state.daily)
      .filter((key) => !this.isKnownNewDay(dayKeys.get(key)));
    const db = this.shadowDb;
    if (streams.length > 0)
      this.streams.loaded(await loadStreamRevisions(db, streams), state.streams);
    if (accounts.length > 0) this.accounts.loaded(await loadAccounts(db, accounts), state.accounts);
    if (holds.length > 0) {
      const wanted = holds.map((key) => holdKeys.get(key)).filter((k) => k !== undefined);
      this.holds.loaded(await loadHolds(db, wanted), state.holds);
    }
    if (transfers.length > 0)
      this.transfers.loaded(await loadTransfers(db, transfers), state.transfers);
    if (daily.length > 0) {
      const wanted = daily.map((key) => dayKeys.get(key)).filter((k) => k !== undefined);
      this.daily.loaded(await loadDaily(db, wanted), state.daily);
    }
    return state;
  }

  /** Takes a page's fold into the caches and adds what it changed to `flush`. */
  record(changes: ViewChanges, flush: FlushRows): void {
    const merge = <V, R>(
      cache: RowCache<V>,
      changed: ReadonlyMap<string, V>,
      rows: TableRows<R>,
      toRow: (key: string, value: V) => R,
      created?: (key: string) => void,
    ): void => {
      for (const [key, value] of changed) {
        const existed = cache.change(key, value, flush.seq);
        if (!existed) created?.(key);
        // Inserted earlier in this flush: still an insert, of the newer value.
        const target = rows.inserts.has(key) || !existed ? rows.inserts : rows.updates;
        target.set(key, toRow(key, value));
      }
    };
    const same = <V>(_key: string, value: V): V => value;
    merge(this.streams, changes.streams, flush.streams, (stream_id, revision) => ({
      stream_id,
      revision,
    }));
    // An account this run creates has no day rows but the ones this run writes.
    merge(this.accounts, changes.accounts, flush.accounts, same, (accountId) =>
      this.newestDays.set(accountId, ''),
    );
    merge(this.holds, changes.holds, flush.holds, same);
    merge(this.transfers, changes.transfers, flush.transfers, same);
    merge(this.daily, changes.daily, flush.daily, same);
    for (const entry of changes.ledgerEntries) flush.ledgerEntries.push(entry);
    for (const entry of changes.transferHistory) flush.transferHistory.push(entry);
    flush.lastOccurredAt = changes.lastOccurredAt ?? flush.lastOccurredAt;

    for (const row of changes.daily.values()) {
      const newest = this.newestDays.get(row.account_id);
      if (newest === undefined || row.day <= newest) continue;
      this.newestDays.delete(row.account_id);
      // Only plain days compare in calendar order; after any other, look every day up.
      if (PLAIN_DAY.test(row.day)) this.newestDays.set(row.account_id, row.day);
    }
  }

  /** The day row is after every day row of an account this run opened: not in the shadow. */
  private isKnownNewDay(key: { account_id: string; day: string } | undefined): boolean {
    if (!key || !PLAIN_DAY.test(key.day)) return false;
    const newest = this.newestDays.get(key.account_id);
    return newest !== undefined && (newest === '' || key.day > newest);
  }

  /** Flush `flush` (and every earlier one) has committed. */
  committed(flush: number): void {
    this.committedFlush = Math.max(this.committedFlush, flush);
  }

  /** Keeps each cache within its capacity; call between pages. */
  evict(): void {
    for (const cache of [this.streams, this.accounts, this.holds, this.transfers, this.daily]) {
      cache.evict(this.committedFlush);
    }
    for (const account of this.newestDays.keys()) {
      if (this.newestDays.size <= this.capacity) break;
      this.newestDays.delete(account);
    }
  }
}

/** YYYY-MM-DD: days that compare as strings in calendar order. */
const PLAIN_DAY = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

async function loadStreamRevisions(db: Knex, streamIds: string[]): Promise<Map<string, bigint>> {
  const result = await db.raw<{ rows: Array<{ stream_id: string; revision: string }> }>(
    `SELECT stream_id, revision::text AS revision FROM stream_checkpoints
      WHERE stream_id IN (SELECT jsonb_array_elements_text(?::jsonb))`,
    [JSON.stringify(streamIds)],
  );
  return new Map(result.rows.map((row) => [row.stream_id, toBigInt(row.revision)]));
}
