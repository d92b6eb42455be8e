import { ListenClient, type Logger } from '@bank/platform';
import { PROJECTION_ADVANCED_CHANNEL } from './projection-queries.js';

interface Waiter {
  readonly position: bigint;
  settle(reached: boolean): void;
}

export interface PositionWatcherOptions {
  /** Connection for the LISTEN session (a dedicated client: pooled connections come and go). */
  readonly databaseUrl: string;
  /** Reads the current consistent position of the views. */
  readonly readPosition: () => Promise<bigint>;
  /** Fallback poll while anyone waits, for a lost NOTIFY or a broken LISTEN session. */
  readonly pollMs: number;
  readonly logger: Logger;
  readonly reconnectMs?: number;
  /**
   * How long the LISTEN session stays open after the last wait ended (default 1000 ms), so that
   * a steady flow of read-your-writes queries does not open a session per query.
   */
  readonly listenIdleMs?: number;
}

/**
 * One per process: follows the views' consistent position and wakes every query waiting for a
 * position the views have reached. Waiting requests never query the database themselves, so a
 * burst of read-your-writes queries costs one position read per projector commit, not one per
 * request per tick.
 *
 * The position is re-read when a wait begins, when the projector NOTIFYs
 * `bank_projection_advanced`, and every `pollMs` while anyone waits. The LISTEN session is open
 * only while a wait is pending (and `listenIdleMs` after the last one): nobody waiting, the
 * projector's commits wake nothing here. A wait the first read does not settle opens it. Reads
 * are single-flight: notifications that arrive during a read fold into one more read after it.
 */
export class ProjectionPositionWatcher {
  private known = 0n;
  private readonly waiters = new Set<Waiter>();
  private readonly session: ListenClient;
  private pollTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private stopped = false;

  constructor(private readonly options: PositionWatcherOptions) {
    const { logger } = options;
    this.session = new ListenClient({
      connection: options.databaseUrl,
      channel: PROJECTION_ADVANCED_CHANNEL,
      onNotification: () => this.requestRefresh(),
      onListening: () => {
        // Anything committed before LISTEN took effect sent no notification we saw: read once now.
        this.requestRefresh();
        this.listenWhileWaited();
      },
      onError: (error, phase) =>
        phase === 'connect'
          ? logger.warn(
              { err: error },
              'cannot LISTEN for projection progress; polling until reconnected',
            )
          : logger.warn({ err: error }, 'LISTEN session failed'),
      reconnectMs: options.reconnectMs,
      keepListening: () => this.waiters.size > 0 && !this.stopped,
    });
  }

  /** The last consistent position read. */
  get position(): bigint {
    return this.known;
  }

  get listening(): boolean {
    return this.session.listening;
  }

  /** Reads the position once; the LISTEN session waits for the first wait. */
  async start(): Promise<void> {
    this.requestRefresh();
    await this.refreshing;
  }

  /**
   * Resolves true once the views include `position`, false after `timeoutMs` (or on stop, or
   * when `signal` aborts).
   */
  waitFor(position: bigint, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.known >= position) return Promise.resolve(true);
    if (this.stopped || timeoutMs <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => waiter.settle(false), timeoutMs);
      const abort = (): void => waiter.settle(false);
      signal?.addEventListener('abort', abort, { once: true });
      const waiter: Waiter = {
        position,
        settle: (reached) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
          this.waiters.delete(waiter);
          this.adjustPoll();
          this.listenWhileWaited();
          resolve(reached);
        },
      };
      this.waiters.add(waiter);
      this.adjustPoll();
      // Without a LISTEN session `known` may be stale: look now, and listen if that is not enough.
      if (!this.session.listening) {
        this.requestRefresh();
        void this.refreshing?.then(() => this.listenWhileWaited());
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiter of [...this.waiters]) waiter.settle(false);
    clearTimeout(this.idleTimer);
    this.adjustPoll();
    await this.session.stop();
    await this.refreshing;
  }

  /** Opens the LISTEN session while anyone waits; closes it `listenIdleMs` after nobody does. */
  private listenWhileWaited(): void {
    if (this.waiters.size > 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      if (!this.stopped) void this.session.start();
    } else if (this.session.listening && !this.idleTimer && !this.stopped) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        if (this.waiters.size === 0) void this.session.stop();
      }, this.options.listenIdleMs ?? 1000);
      this.idleTimer.unref();
    }
  }

  private requestRefresh(): void {
    if (this.stopped) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = this.refreshLoop().finally(() => {
      this.refreshing = undefined;
    });
  }

  private async refreshLoop(): Promise<void> {
    do {
      this.refreshAgain = false;
      try {
        // Take the value as read, also if lower: a new partition's watermark can pull the minimum down.
        this.known = await this.options.readPosition();
        this.release();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'reading the consistent position failed');
      }
    } while (this.refreshAgain && !this.stopped);
  }

  private release(): void {
    for (const waiter of [...this.waiters]) if (waiter.position <= this.known) waiter.settle(true);
  }

  private adjustPoll(): void {
    if (this.waiters.size > 0 && !this.pollTimer && !this.stopped) {
      this.pollTimer = setInterval(() => this.requestRefresh(), this.options.pollMs);
      this.pollTimer.unref();
    } else if ((this.waiters.size === 0 || this.stopped) && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }
}
