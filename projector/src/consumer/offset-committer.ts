export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read: everything before it is applied. */
  readonly offset: bigint;
}

type Commit = (offsets: readonly PartitionOffset[]) => Promise<void>;

/**
 * Commits consumer offsets at most every `intervalMs` instead of after every transaction (an
 * OffsetCommit is a broker round trip and a write to `__consumer_offsets`). Offsets are only ever
 * recorded after the transaction that applied their messages committed, so a late or lost commit
 * only means redelivery after a restart or rebalance, which the per-stream revision check turns
 * into no-ops. A trailing timer commits what is left once traffic stops.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, PartitionOffset>();
  private lastCommit = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(
    private readonly intervalMs: number,
    /** The commit the trailing timer uses (the consumer's own, outside any batch). */
    private readonly background: Commit,
    private readonly onBackgroundError: (error: unknown) => void,
  ) {}

  /** Everything of `partition` before `offset` is applied. */
  applied(topic: string, partition: number, offset: bigint): void {
    const key = `${topic}|${partition}`;
    if ((this.pending.get(key)?.offset ?? -1n) < offset)
      this.pending.set(key, { topic, partition, offset });
  }

  /** Forgets partitions this consumer no longer has (after a rebalance). */
  retain(owned: (topic: string, partition: number) => boolean): void {
    for (const [key, { topic, partition }] of this.pending)
      if (!owned(topic, partition)) this.pending.delete(key);
  }

  /**
   * Commits with `commit` when due (or `force`); otherwise makes sure the timer will. Never waits
   * for a background commit in flight unless forced: that one retries through a rebalance, which
   * needs the caller's batch to finish first.
   */
  async maybeCommit(commit: Commit, force = false): Promise<void> {
    if (this.pending.size === 0) return;
    const wait = this.lastCommit + this.intervalMs - Date.now();
    if (force || (wait <= 0 && this.inFlight === 0)) return this.flush(commit);
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        this.flush(this.background).catch(this.onBackgroundError);
      },
      Math.max(wait, 0),
    );
  }

  /** Commits every pending offset now (one request), after any commit already in flight. */
  flush(commit: Commit = this.background): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight += 1;
    const run = this.chain.then(async () => {
      const offsets = [...this.pending.values()];
      if (offsets.length === 0) return;
      this.pending.clear();
      this.lastCommit = Date.now();
      try {
        await commit(offsets);
      } catch (error) {
        // Keep them for the next try, unless a later offset was recorded meanwhile.
        for (const o of offsets) this.applied(o.topic, o.partition, o.offset);
        throw error;
      }
    });
    this.chain = run.catch(() => undefined).finally(() => (this.inFlight -= 1));
    return run;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
