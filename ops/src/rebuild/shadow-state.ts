import {
  dailyKey,
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
import { RowCache, type CacheEntry } from './row-cache.js';

export interface StreamRow {
  readonly stream_id: string;
  readonly revision: bigint;
}

/** A flush's rows of one table: new ones (inserted) and changed ones (updated), each once. */
export interface TableRows<R> {
  readonly inserts: R[];
  readonly updates: R[];
}

/** What one flush (one transaction) writes to the shadow tables, row by row (FlushRows.seal). */
export interface FlushWrite {
  readonly streams: TableRows<StreamRow>;
  readonly accounts: TableRows<AccountRow>;
  readonly holds: TableRows<HoldRow>;
  readonly transfers: TableRows<TransferRow>;
  readonly daily: TableRows<DailyBalanceRow>;
  readonly ledgerEntries: readonly LedgerEntryRow[];
  readonly transferHistory: readonly TransferStatusRow[];
  readonly lastOccurredAt: string | undefined;
}

/**
 * Everything one flush (one transaction) writes to the shadow tables: the changes of one or more
 * pages, merged. A row changed by several of them is written once, with its last value: each
 * table's cache entries the flush changed, each listed once (RowCache.change).
 */
export class FlushRows {
  readonly streams: Array<CacheEntry<bigint>> = [];
  readonly accounts: Array<CacheEntry<AccountRow>> = [];
  readonly holds: Array<CacheEntry<HoldRow>> = [];
  readonly transfers: Array<CacheEntry<TransferRow>> = [];
  readonly daily: Array<CacheEntry<DailyBalanceRow>> = [];
  readonly ledgerEntries: LedgerEntryRow[] = [];
  readonly transferHistory: TransferStatusRow[] = [];
  /** occurredAt of the last applied event. */
  lastOccurredAt: string | undefined;

  constructor(
    /** The flush's sequence number (1, 2, ...): the order the flushes commit in. */
    readonly seq: number,
  ) {}

  /**
   * The rows to write, with the values they have now: call when the flush's last page is
   * recorded, before any later page is folded (a later flush changes the same entries).
   */
  seal(): FlushWrite {
    return {
      streams: split(this.streams, (e) => ({ stream_id: e.key, revision: e.value })),
      accounts: split(this.accounts, valueOf),
      holds: split(this.holds, valueOf),
      transfers: split(this.transfers, valueOf),
      daily: split(this.daily, valueOf),
      ledgerEntries: this.ledgerEntries,
      transferHistory: this.transferHistory,
      lastOccurredAt: this.lastOccurredAt,
    };
  }
}

const valueOf = <V>(entry: CacheEntry<V>): V => entry.value;

function split<V, R>(entries: ReadonlyArray<CacheEntry<V>>, toRow: (e: CacheEntry<V>) => R) {
  const rows: TableRows<R> = { inserts: [], updates: [] };
  for (const entry of entries) (entry.inserted ? rows.inserts : rows.updates).push(toRow(entry));
  return rows;
}

/**
 * The rebuild's view of the shadow tables between pages. The rebuild is their only writer (it
 * holds the rebuild lock, and nobody reads them before the swap), so what it wrote is known
 * without reading it back: the rows and stream revisions are kept in bounded caches, and a page
 * reads from the shadow only the rows it touches that are not cached. The fold is the
 * projection's own (`foldEvents`), given the caches as its view state: every row the live path
 * would load is among them.
 */
export class ShadowState {
  private readonly streams: RowCache<bigint>;
  private readonly accounts: RowCache<AccountRow>;
  private readonly holds: RowCache<HoldRow>;
  private readonly transfers: RowCache<TransferRow>;
  private readonly daily: RowCache<DailyBalanceRow>;
  /** The caches' rows, as the fold reads them. */
  private readonly state: ViewState;
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
    this.state = {
      streams: this.streams.rows,
      accounts: this.accounts.rows,
      holds: this.holds.rows,
      transfers: this.transfers.rows,
      daily: this.daily.rows,
    };
  }

  /**
   * The view state the page's events are folded against: the caches, after reading from the
   * shadow every row the events may read or create that they do not hold.
   */
  async viewStateFor(events: readonly ProjectionEvent[]): Promise<ViewState> {
    const db = this.shadowDb;
    if (!this.streams.isComplete) {
      const streams = this.streams.missing(new Set(events.map((e) => e.streamId)));
      if (streams.length > 0) this.streams.loaded(await loadStreamRevisions(db, streams));
    }
    const rows = [this.accounts, this.holds, this.transfers, this.daily];
    if (rows.every((cache) => cache.isComplete)) return this.state;
    // HoldPlaced keys too: a page must know whether each row it writes exists (insert or update).
    const keys = viewKeysOf(events, true);
    const holdKeys = new Map(keys.holds.map((k) => [holdKey(k.account_id, k.hold_id), k]));
    const dayKeys = new Map(keys.days.map((k) => [dailyKey(k.account_id, k.day), k]));
    const accounts = this.accounts.missing(keys.accountIds);
    const holds = this.holds.missing(holdKeys.keys());
    const transfers = this.transfers.missing(keys.transferIds);
    const daily = this.daily
      .missing(dayKeys.keys())
      .filter((key) => !this.isKnownNewDay(dayKeys.get(key)));
    if (accounts.length > 0) this.accounts.loaded(await loadAccounts(db, accounts));
    if (holds.length > 0) {
      const wanted = holds.map((key) => holdKeys.get(key)).filter((k) => k !== undefined);
      this.holds.loaded(await loadHolds(db, wanted));
    }
    if (transfers.length > 0) this.transfers.loaded(await loadTransfers(db, transfers));
    if (daily.length > 0) {
      const wanted = daily.map((key) => dayKeys.get(key)).filter((k) => k !== undefined);
      this.daily.loaded(await loadDaily(db, wanted));
    }
    return this.state;
  }

  /** Takes a page's fold into the caches and adds what it changed to `flush`. */
  record(changes: ViewChanges, flush: FlushRows): void {
    const seq = flush.seq;
    for (const [key, value] of changes.streams) this.streams.change(key, value, seq, flush.streams);
    for (const [key, value] of changes.accounts) {
      // An account this run creates has no day rows but the ones this run writes.
      if (!this.accounts.change(key, value, seq, flush.accounts)) this.newestDays.set(key, '');
    }
    for (const [key, value] of changes.holds) this.holds.change(key, value, seq, flush.holds);
    for (const [key, value] of changes.transfers)
      this.transfers.change(key, value, seq, flush.transfers);
    for (const [key, value] of changes.daily) this.daily.change(key, value, seq, flush.daily);
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
