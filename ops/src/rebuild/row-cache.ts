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
 * Only rows whose last flush has committed are evicted: a row evicted and read back must come
 * back as it is, not as it was before a write still in flight. Eviction runs between pages, never
 * between a page's look-up and its fold, so that a page's rows stay cached while it uses them.
 */
export class RowCache<V> {
  /**
   * Insertion order with a second chance instead of moving an entry on every use (a Map delete
   * and set per key per page cost more than the fold of the event): a use only marks the entry,
   * and eviction, scanning from the oldest, moves a marked entry to the back unmarked instead of
   * dropping it. Entries used since the last eviction therefore outlive those that were not, and
   * new entries (at the back) outlive older ones.
   */
  private readonly entries = new Map<string, { value: V; flush: number; used: boolean }>();

  constructor(
    private readonly capacity: number,
    private complete: boolean,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Puts the cached rows among `keys` into `into` (and marks them used); returns the keys to look
   * up in the table: the uncached ones, none while the cache is complete.
   */
  lookup(keys: Iterable<string>, into: Map<string, V>): string[] {
    const missing: string[] = [];
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry) {
        entry.used = true;
        into.set(key, entry.value);
      } else if (!this.complete) {
        missing.push(key);
      }
    }
    return missing;
  }

  /** Rows read from the table (committed: flush 0). */
  loaded(rows: ReadonlyMap<string, V>, into: Map<string, V>): void {
    for (const [key, value] of rows) {
      this.entries.set(key, { value, flush: 0, used: false });
      into.set(key, value);
    }
  }

  /**
   * A row changed by flush `flush`. Returns whether the table already holds the row, or an
   * earlier flush writes it (so this flush updates it), rather than this flush inserting it.
   * That is exact because every key a page may change was looked up first (see ShadowState).
   */
  change(key: string, value: V, flush: number): boolean {
    const entry = this.entries.get(key);
    if (!entry) {
      // New entries go in at the back: the newest already, unmarked.
      this.entries.set(key, { value, flush, used: false });
      return false;
    }
    entry.value = value;
    entry.flush = flush;
    entry.used = true;
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
      this.complete = false;
      excess -= 1;
    }
  }
}
