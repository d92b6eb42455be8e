import pg from 'pg';
import type { Logger } from '@bank/platform';
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
  private listener: pg.Client | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private stopped = false;

  constructor(private readonly options: PositionWatcherOptions) {}

  /** The last consistent position read. */
  get position(): bigint {
    return this.known;
  }

  get listening(): boolean {
    return this.listener !== undefined;
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
      if (!this.listener) {
        this.requestRefresh();
        void this.refreshing?.then(() => this.listenWhileWaited());
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.idleTimer);
    for (const waiter of [...this.waiters]) waiter.settle(false);
    this.adjustPoll();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.connecting;
    await this.refreshing;
  }

  /** Opens the LISTEN session while anyone waits; closes it `listenIdleMs` after nobody does. */
  private listenWhileWaited(): void {
    if (this.waiters.size > 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      if (!this.listener && !this.connecting && !this.reconnectTimer && !this.stopped) {
        this.connecting = this.listen().finally(() => {
          this.connecting = undefined;
          this.listenWhileWaited();
        });
      }
    } else if (this.listener && !this.idleTimer) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        if (this.waiters.size > 0) return;
        const listener = this.listener;
        this.listener = undefined;
        listener?.end().catch(() => undefined);
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

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    client.on('notification', () => this.requestRefresh());
    client.on('error', (error) => {
      this.options.logger.warn({ err: error }, 'LISTEN session failed');
      this.dropListener(client);
    });
    client.on('end', () => this.dropListener(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${PROJECTION_ADVANCED_CHANNEL}`);
    } catch (error) {
      this.options.logger.warn(
        { err: error },
        'cannot LISTEN for projection progress; polling until reconnected',
      );
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    // Anything committed before LISTEN took effect sent no notification we saw: read once now.
    this.requestRefresh();
  }

  private dropListener(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.listenWhileWaited();
    }, this.options.reconnectMs ?? 1000);
    this.reconnectTimer.unref();
  }
}
