/**
 * A bounded, least-recently-used cache of one shadow table's rows, kept across the rebuild's
 * pages so that a page only reads from PostgreSQL the rows it touches and does not hold.
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
  private readonly entries = new Map<string, { value: V; flush: number }>();

  constructor(
    private readonly capacity: number,
    private complete: boolean,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Puts the cached rows among `keys` into `into` (and marks them recently used); returns the
   * keys to look up in the table: the uncached ones, none while the cache is complete.
   */
  lookup(keys: Iterable<string>, into: Map<string, V>): string[] {
    const missing: string[] = [];
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry) {
        this.entries.delete(key);
        this.entries.set(key, entry);
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
      this.entries.set(key, { value, flush: 0 });
      into.set(key, value);
    }
  }

  /**
   * A row changed by flush `flush`. Returns whether the table already holds the row, or an
   * earlier flush writes it (so this flush updates it), rather than this flush inserting it.
   * That is exact because every key a page may change was looked up first (see ShadowState).
   */
  change(key: string, value: V, flush: number): boolean {
    const existed = this.entries.delete(key);
    this.entries.set(key, { value, flush });
    return existed;
  }

  /** Drops the least recently used committed rows beyond the capacity. */
  evict(committedFlush: number): void {
    if (this.entries.size <= this.capacity) return;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      if (entry.flush > committedFlush) continue;
      this.entries.delete(key);
      this.complete = false;
    }
  }
}
