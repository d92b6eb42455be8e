import pg from 'pg';

/**
 * One LISTEN connection per store, shared by all of its subscriptions. It only wakes
 * subscribers up; they read the table themselves, so a lost notification (reconnect,
 * overflow) costs at most one poll interval, never an event.
 */
export class AppendNotifier {
  private client: pg.Client | undefined;
  private starting: Promise<void> | undefined;
  private readonly listeners = new Set<() => void>();
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionConfig: pg.ClientConfig,
    private readonly channel: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Registers a wake-up callback; starts listening on first use. Returns the unregister function. */
  add(listener: () => void): () => void {
    this.listeners.add(listener);
    void this.ensureListening();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves once LISTEN is active (or failed: subscribers then fall back to polling). */
  ensureListening(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<void> {
    const client = new pg.Client(this.connectionConfig);
    client.on('notification', () => this.wakeAll());
    client.on('error', (error) => this.dropped(client, error));
    client.on('end', () => this.dropped(client, undefined));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      this.onError(error);
      await client.end().catch(() => undefined);
      this.scheduleRetry();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Anything appended while we were not listening is picked up by this wake-up.
    this.wakeAll();
  }

  private dropped(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (error !== undefined) this.onError(error);
    client.end().catch(() => undefined);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer || this.listeners.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.ensureListening();
    }, 1000);
    this.retryTimer.unref();
  }

  private wakeAll(): void {
    for (const listener of this.listeners) listener();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.starting;
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }
}
