/**
 * A bounded cache (least recently used out first, approximately) of one shadow table's rows,
 * kept across the rebuild's pages so that a page only reads from PostgreSQL the rows it touches
 * and does not hold.
 *
 * Every entry is the row as the shadow holds it, or will hold it once the flush that last wrote
 * it commits. `complete` means that no row of the table exists outside the cache (a fresh, empty
 * shadow, before the first eviction): a key missing from a complete cache is missing from the
 * table too, so it needs no look-up.
 *
 * `rows` is what the fold reads as its view state, as it is: the fold only reads the rows of the
 * keys its events touch, and each of those is cached (or looked up first, see `missing`), so the
 * cache stands for the table without a per-page copy.
 *
 * Only rows whose last flush has committed are evicted: a row evicted and read back must come
 * back as it is, not as it was before a write still in flight. Eviction runs between pages, never
 * between a page's look-up and its fold, so that a page's rows stay cached while it uses them.
 */
export class RowCache<V> {
  /** The cached rows by key. */
  readonly rows = new Map<string, V>();
  /**
   * Insertion order with a second chance instead of moving an entry on every use (a Map delete
   * and set per key per page cost more than the fold of the event): a use only marks the entry,
   * and eviction, scanning from the oldest, moves a marked entry to the back unmarked instead of
   * dropping it. Entries used since the last eviction therefore outlive those that were not, and
   * new entries (at the back) outlive older ones.
   */
  private readonly entries = new Map<string, CacheEntry<V>>();

  constructor(
    private readonly capacity: number,
    private complete: boolean,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** No row of the table is outside the cache: nothing needs looking up. */
  get isComplete(): boolean {
    return this.complete;
  }

  /**
   * Marks the cached rows among `keys` used; returns the keys to look up in the table: the
   * uncached ones, none while the cache is complete.
   */
  missing(keys: Iterable<string>): string[] {
    const missing: string[] = [];
    if (this.complete) return missing;
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry) entry.used = true;
      else missing.push(key);
    }
    return missing;
  }

  /** Rows read from the table (committed: flush 0). */
  loaded(rows: ReadonlyMap<string, V>): void {
    for (const [key, value] of rows) {
      this.entries.set(key, { key, value, flush: 0, used: false, inserted: false });
      this.rows.set(key, value);
    }
  }

  /**
   * A row changed by flush `flush`; the first change of a row in a flush adds its entry to
   * `touched` (the flush's rows of this table, each once, with its last value). Returns whether
   * the row was cached already, rather than created by this change. The flush inserts the row if
   * it created it, and updates it if the table holds it or an earlier flush writes it: that is
   * exact because every key a page may change is cached or was looked up first (see ShadowState).
   */
  change(key: string, value: V, flush: number, touched: Array<CacheEntry<V>>): boolean {
    this.rows.set(key, value);
    const entry = this.entries.get(key);
    if (!entry) {
      // New entries go in at the back: the newest already, unmarked.
      const created = { key, value, flush, used: false, inserted: true };
      this.entries.set(key, created);
      touched.push(created);
      return false;
    }
    entry.value = value;
    entry.used = true;
    if (entry.flush !== flush) {
      // Inserted by an earlier flush, which commits first, or already in the table.
      entry.inserted = false;
      entry.flush = flush;
      touched.push(entry);
    }
    return true;
  }

  /**
   * Drops committed rows beyond the capacity, oldest first, sparing (once) those used since the
   * last eviction.
   */
  evict(committedFlush: number): void {
    let excess = this.entries.size - this.capacity;
    if (excess <= 0) return;
    // Each entry is looked at most twice: once, and once more after a second chance.
    let budget = 2 * this.entries.size;
    for (const [key, entry] of this.entries) {
      if (excess <= 0 || budget <= 0) break;
      budget -= 1;
      if (entry.flush > committedFlush) continue;
      if (entry.used) {
        entry.used = false;
        this.entries.delete(key);
        this.entries.set(key, entry);
        continue;
      }
      this.entries.delete(key);
      this.rows.delete(key);
      this.complete = false;
      excess -= 1;
    }
  }
}

/** A cached row and its bookkeeping. */
export interface CacheEntry<V> {
  readonly key: string;
  value: V;
  /** The flush that last wrote the row (0: read from the table). */
  flush: number;
  used: boolean;
  /** That flush inserts the row (rather than updating it). */
  inserted: boolean;
}
