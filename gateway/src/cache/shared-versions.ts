import type { Redis } from 'ioredis';

/**
 * Cache versions shared by every gateway through Redis, so that an entry one gateway cached is
 * never served after a command through another touched what it shows.
 *
 * Each tag (an account, an owner, a transfer) has a counter that a command bumps before its
 * answer goes out. An entry records the counters of its tags when it was filled and is served
 * only while they are unchanged (one MGET per hit). A fill reads the epoch before asking the
 * query service and the tag counters after; if the epoch moved in between, a command ran during
 * the fill and the answer is not cached. A tag counter lives longer than any entry (at least
 * twice the TTL), so a counter that expired cannot come back to an entry's recorded value.
 */
export class SharedCacheVersions {
  private readonly counterTtlMs: number;
  private readonly tagPrefix: string;
  /** Bumped by every command through any gateway: tells a fill that a write ran during it. */
  private readonly epochKey: string;

  constructor(
    private readonly redis: Redis,
    entryTtlMs: number,
    keyPrefix: string,
  ) {
    this.counterTtlMs = Math.max(2 * entryTtlMs, 60_000);
    this.tagPrefix = `${keyPrefix}cache:tag:`;
    this.epochKey = `${keyPrefix}cache:epoch`;
  }

  /** The epoch before a fill; pass it to `stamp`. */
  epoch(): Promise<string | null> {
    return this.redis.get(this.epochKey);
  }

  /**
   * The stamp to store with an entry of `tags`, or undefined when a command ran since `epoch`
   * was read (the answer may predate it: do not cache).
   */
  async stamp(tags: readonly string[], epoch: string | null): Promise<string | undefined> {
    const [now, ...versions] = await this.redis.mget(this.epochKey, ...tags.map(this.keyOf));
    return now === epoch ? JSON.stringify(versions) : undefined;
  }

  /** Whether no command touched `tags` since the entry got `stamp`. */
  async current(tags: readonly string[], stamp: string): Promise<boolean> {
    if (tags.length === 0) return true;
    const versions = await this.redis.mget(...tags.map(this.keyOf));
    return JSON.stringify(versions) === stamp;
  }

  /** A command touched `tags`: every gateway's entries of them stop being served. */
  async bump(tags: readonly string[]): Promise<void> {
    const pipeline = this.redis.multi();
    for (const tag of tags)
      pipeline.incr(this.keyOf(tag)).pexpire(this.keyOf(tag), this.counterTtlMs);
    pipeline.incr(this.epochKey);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed)
      throw failed?.[0] ?? new Error('the cache version update was discarded');
  }

  private readonly keyOf = (tag: string): string => `${this.tagPrefix}${tag}`;
}
