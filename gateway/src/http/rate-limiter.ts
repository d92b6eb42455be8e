export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
}

/**
 * Fixed one-minute windows per key, in memory. Each gateway counts its own traffic, so behind a
 * balancer of N gateways a client gets up to N times the limit: the limit protects the
 * upstreams from a runaway client, it is not a billing quota.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(
    private readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): RateDecision {
    const now = this.now();
    const windowMs = 60_000;
    const start = now - (now % windowMs);
    this.sweep(start);
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      this.windows.set(key, window);
    }
    const resetSeconds = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    if (window.count >= this.limitPerMinute) {
      return { allowed: false, limit: this.limitPerMinute, remaining: 0, resetSeconds };
    }
    window.count++;
    return {
      allowed: true,
      limit: this.limitPerMinute,
      remaining: this.limitPerMinute - window.count,
      resetSeconds,
    };
  }

  /** Forgets windows that ended, once per window. */
  private sweep(currentStart: number): void {
    if (this.lastSweep === currentStart) return;
    this.lastSweep = currentStart;
    for (const [key, window] of this.windows)
      if (window.start !== currentStart) this.windows.delete(key);
  }
}

/** The RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) of a decision. */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSeconds),
  };
}
