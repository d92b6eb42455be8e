import type pg from 'pg';
import { ListenClient } from '@bank/platform/core';

/**
 * One LISTEN connection per store, shared by all of its subscriptions. It only wakes
 * subscribers up; they read the table themselves, so a lost notification (reconnect,
 * overflow) costs at most one poll interval, never an event. Without subscribers a dropped
 * connection is not reopened until the next one arrives.
 */
export class AppendNotifier {
  private readonly listeners = new Set<() => void>();
  private readonly session: ListenClient;
  private closed = false;

  constructor(
    connectionConfig: pg.ClientConfig,
    channel: string,
    onError: (error: unknown) => void = () => undefined,
  ) {
    this.session = new ListenClient({
      connection: connectionConfig,
      channel,
      onNotification: () => this.wakeAll(),
      // Anything appended while we were not listening is picked up by this wake-up.
      onListening: () => this.wakeAll(),
      onError: (error) => onError(error),
      keepListening: () => this.listeners.size > 0,
    });
  }

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
    if (this.closed) return Promise.resolve();
    return this.session.start();
  }

  private wakeAll(): void {
    for (const listener of this.listeners) listener();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.session.stop();
  }
}
