import type { LatencyRecorder, LatencySummary } from './latency.js';

/** What a load run saw, by kind of answer. */
export class OutcomeCounter {
  ok = 0;
  /** 409: concurrency conflict after the service's internal retries (or key still in flight). */
  conflicts = 0;
  /** 422: a business rule said no (INSUFFICIENT_FUNDS, ...). Expected, but counted apart. */
  rejections = 0;
  /** Any other 4xx, every 5xx, transport errors and timeouts. */
  errors = 0;
  readonly byStatus = new Map<string, number>();

  record(status: string, kind: 'ok' | 'conflict' | 'rejection' | 'error'): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    switch (kind) {
      case 'ok':
        this.ok += 1;
        break;
      case 'conflict':
        this.conflicts += 1;
        break;
      case 'rejection':
        this.rejections += 1;
        break;
      case 'error':
        this.errors += 1;
        break;
    }
  }

  recordHttp(status: number): void {
    if (status >= 200 && status < 300) this.record(String(status), 'ok');
    else if (status === 409) this.record(String(status), 'conflict');
    else if (status === 422) this.record(String(status), 'rejection');
    else this.record(String(status), 'error');
  }

  get total(): number {
    return this.ok + this.conflicts + this.rejections + this.errors;
  }

  /** e.g. `201:812 409:3` — for notes. */
  describe(): string {
    return [...this.byStatus.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, n]) => `${status}:${n}`)
      .join(' ');
  }
}

/** What a load phase saw: rates over its wall time, latencies and answers. */
export interface LoadResult {
  readonly seconds: number;
  /** Answers per second, whatever their status. */
  readonly throughput: number;
  /** 2xx (or OK) answers per second. */
  readonly okThroughput: number;
  readonly latency: LatencySummary;
  readonly outcomes: OutcomeCounter;
}

/** The result of a phase that started at `started` (performance.now()) and has just ended. */
export function loadResult(
  started: number,
  latencies: LatencyRecorder,
  outcomes: OutcomeCounter,
): LoadResult {
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    throughput: outcomes.total / seconds,
    okThroughput: outcomes.ok / seconds,
    latency: latencies.summary(),
    outcomes,
  };
}
