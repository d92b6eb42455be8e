import type { Redis } from 'ioredis';

const TAG_PREFIX = 'bank:gateway:cache:tag:';
/** Bumped by every command through any gateway: tells a fill that a write ran during it. */
const EPOCH_KEY = 'bank:gateway:cache:epoch';

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

  constructor(
    private readonly redis: Redis,
    entryTtlMs: number,
  ) {
    this.counterTtlMs = Math.max(2 * entryTtlMs, 60_000);
  }

  /** The epoch before a fill; pass it to `stamp`. */
  epoch(): Promise<string | null> {
    return this.redis.get(EPOCH_KEY);
  }

  /**
   * The stamp to store with an entry of `tags`, or undefined when a command ran since `epoch`
   * was read (the answer may predate it: do not cache).
   */
  async stamp(tags: readonly string[], epoch: string | null): Promise<string | undefined> {
    const [now, ...versions] = await this.redis.mget(EPOCH_KEY, ...tags.map(keyOf));
    return now === epoch ? JSON.stringify(versions) : undefined;
  }

  /** Whether no command touched `tags` since the entry got `stamp`. */
  async current(tags: readonly string[], stamp: string): Promise<boolean> {
    if (tags.length === 0) return true;
    const versions = await this.redis.mget(...tags.map(keyOf));
    return JSON.stringify(versions) === stamp;
  }

  /** A command touched `tags`: every gateway's entries of them stop being served. */
  async bump(tags: readonly string[]): Promise<void> {
    const pipeline = this.redis.multi();
    for (const tag of tags) pipeline.incr(keyOf(tag)).pexpire(keyOf(tag), this.counterTtlMs);
    pipeline.incr(EPOCH_KEY);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed)
      throw failed?.[0] ?? new Error('the cache version update was discarded');
  }
}

const keyOf = (tag: string): string => `${TAG_PREFIX}${tag}`;
