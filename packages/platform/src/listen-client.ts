import pg from 'pg';

/** Where a LISTEN session failed: opening it (connect or LISTEN) or while it was open. */
export type ListenFailurePhase = 'connect' | 'session';

export interface ListenClientOptions {
  /** A dedicated connection: a pooled one could be handed back and lose the LISTEN. */
  readonly connection: string | pg.ClientConfig;
  readonly channel: string;
  /** Called for every NOTIFY on the channel. */
  readonly onNotification: (payload: string | undefined) => void;
  /**
   * Called each time LISTEN takes effect, the first time and after every reconnect: whatever
   * was notified while no session listened is lost, so the caller looks for itself now.
   */
  readonly onListening: () => void;
  /** A failed attempt or a session that broke; the client retries after `reconnectMs`. */
  readonly onError?: (error: unknown, phase: ListenFailurePhase) => void;
  /** Pause between a failure and the next attempt (default 1000 ms). */
  readonly reconnectMs?: number;
  /**
   * Asked before each reconnect; false leaves the client idle until `start()` is called again,
   * so a caller with nobody to wake holds no connection.
   */
  readonly keepListening?: () => boolean;
}

/**
 * One reconnecting LISTEN session on one channel. `start()` opens it, a dropped or failed
 * session is retried after `reconnectMs` (never sooner: a new `start()` during the pause waits
 * for it), and every time LISTEN takes effect `onListening` signals that notifications may have
 * been missed. `stop()` ends the session and any pending retry; `start()` may open it again.
 */
export class ListenClient {
  private client: pg.Client | undefined;
  private opening: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private wanted = false;

  constructor(private readonly options: ListenClientOptions) {}

  /** A session is open and LISTEN is in effect. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /**
   * Resolves once LISTEN is in effect, or once this attempt failed (a retry is then scheduled),
   * or at once while a retry is pending.
   */
  start(): Promise<void> {
    this.wanted = true;
    if (this.client || this.retryTimer) return Promise.resolve();
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Ends the session and cancels a pending retry; resolves when no connection is left. */
  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
    await this.opening;
  }

  private async open(): Promise<void> {
    const { connection, channel } = this.options;
    const client = new pg.Client(
      typeof connection === 'string' ? { connectionString: connection } : connection,
    );
    client.on('notification', (message) => {
      if (this.client === client) this.options.onNotification(message.payload);
    });
    client.on('error', (error) => this.dropped(client, error));
    client.on('end', () => this.dropped(client, undefined));
    try {
      await client.connect();
      await client.query(`LISTEN ${channelSql(channel)}`);
    } catch (error) {
      this.options.onError?.(error, 'connect');
      await client.end().catch(() => undefined);
      this.scheduleRetry();
      return;
    }
    if (!this.wanted) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.options.onListening();
  }

  private dropped(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (error !== undefined) this.options.onError?.(error, 'session');
    client.end().catch(() => undefined);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.wanted || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.wanted && (this.options.keepListening?.() ?? true)) void this.start();
    }, this.options.reconnectMs ?? 1000);
    this.retryTimer.unref();
  }
}

/** A lower-case identifier goes as written (it reads so in pg_stat_activity); others quoted. */
function channelSql(channel: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(channel) ? channel : pg.escapeIdentifier(channel);
}
