import type { SubscribeOptions, Subscription } from '../port.js';
import type { AppendNotifier } from './notifier.js';
import type { StorePool } from './pool.js';
import type { EventReader } from './read.js';
import { PollingSubscription } from './subscription.js';

export interface SubscriptionsOptions {
  readonly db: StorePool;
  readonly reader: EventReader;
  readonly notifier: AppendNotifier;
  readonly pollIntervalMs: number;
  readonly pageSize: number;
}

/** The store's catch-up subscriptions to the global order, kept so that closing the store ends them. */
export class Subscriptions {
  private readonly db: StorePool;
  private readonly reader: EventReader;
  private readonly notifier: AppendNotifier;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<PollingSubscription>();

  constructor(options: SubscriptionsOptions) {
    this.db = options.db;
    this.reader = options.reader;
    this.notifier = options.notifier;
    this.pollIntervalMs = options.pollIntervalMs;
    this.pageSize = options.pageSize;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.db.assertOpen();
    const subscription = new PollingSubscription({
      after: options.after ?? 0n,
      readPage: (after) => this.reader.readPage(after, this.pageSize, options.filter),
      notifier: this.notifier,
      pollIntervalMs: this.pollIntervalMs,
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
  }
}
