import type { EventStore, RecordedEvent, Subscription } from '@bank/event-store';
import type { Logger } from '@bank/platform';
import { BatchReader } from '../relay/batch-reader.js';
import type { Leadership } from './leadership.js';

export interface SubscriptionWorkerOptions {
  readonly name: string;
  readonly store: EventStore;
  readonly leadership: Leadership;
  readonly logger: Logger;
  readonly batchSize: number;
  readonly lingerMs: number;
  /** The stored position to resume after; read afresh on every (re)start. */
  readonly checkpoint: () => Promise<bigint>;
  /**
   * Handles one batch; must persist the checkpoint before resolving, or have it persisted by
   * `close` at the latest (the relay writes it in the background).
   */
  readonly handle: (batch: readonly RecordedEvent[]) => Promise<void>;
  /** Called before each subscription starts and after it ends (connect/disconnect a producer). */
  readonly open?: () => Promise<void>;
  readonly close?: () => Promise<void>;
  readonly retryDelayMs?: number;
}

/**
 * A catch-up subscription from a stored checkpoint, in batches, run by the one instance that holds
 * the leadership lock. Any failure closes the subscription and starts over from the checkpoint
 * (which is written only after a batch is done), so a failure may repeat a batch but never skips
 * one. stop() lets the batch in hand finish first.
 */
export class SubscriptionWorker {
  private stopping = false;
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private lastError: unknown;

  constructor(private readonly options: SubscriptionWorkerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** False after a failure, until a batch succeeds again. */
  get healthy(): boolean {
    return this.lastError === undefined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    await this.loop;
    await this.options.leadership.release();
  }

  private async run(): Promise<void> {
    const { logger, leadership } = this.options;
    while (!this.stopping) {
      if (!(await leadership.acquire(() => this.stopping))) break;
      try {
        await this.follow();
      } catch (error) {
        this.lastError = error;
        logger.error(
          { err: error, worker: this.options.name },
          'subscription failed; restarting from the checkpoint',
        );
        await leadership.release();
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1000));
      }
    }
  }

  private async follow(): Promise<void> {
    const { store, batchSize, lingerMs, logger, leadership } = this.options;
    await this.options.open?.();
    try {
      const after = await this.options.checkpoint();
      // The store answers again: healthy, even if no event arrives for a long time (an empty
      // store, say, whose table another service had not created yet when the last try failed).
      await store.headPosition();
      this.lastError = undefined;
      logger.info(
        { worker: this.options.name, after: after.toString() },
        'subscribing to the event store',
      );
      const subscription = store.subscribeToAll({ after });
      this.subscription = subscription;
      if (this.stopping) await subscription.close();
      try {
        const reader = new BatchReader(subscription[Symbol.asyncIterator](), batchSize, lingerMs);
        for (let batch = await reader.next(); batch; batch = await reader.next()) {
          await this.options.handle(batch);
          this.lastError = undefined;
          if (leadership.isLost) throw new Error('leadership lock lost');
        }
      } finally {
        await subscription.close();
        this.subscription = undefined;
      }
    } finally {
      await this.options.close?.();
    }
  }
}
