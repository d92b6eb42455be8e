import type { RecordedEvent, Subscription } from '../port.js';
import type { AppendNotifier } from './notifier.js';

/** One page of the global order after some position. */
export interface Page {
  readonly events: readonly RecordedEvent[];
  /**
   * Everything up to here has been looked at (events filtered out included); the next
   * page starts after it. Never below the last event's position.
   */
  readonly scannedUpTo: bigint;
  /** The page was cut by its size limit: read again at once instead of waiting. */
  readonly full: boolean;
}

export interface PollingSubscriptionOptions {
  readonly after: bigint;
  readonly readPage: (after: bigint) => Promise<Page>;
  readonly notifier: AppendNotifier;
  readonly pollIntervalMs: number;
  readonly onClose?: () => void;
}

/**
 * Catch-up subscription: reads pages after its last position until it is caught up, then
 * waits for a NOTIFY from an append (or the poll interval, in case a notification was lost)
 * and reads again. It relies on the store's guarantee that positions become visible in
 * increasing order, so "after my last position" never misses an event.
 *
 * A failed read ends the iteration with the error (EventStoreUnavailableError when the
 * database is gone); the consumer resubscribes from its own checkpoint.
 */
export class PollingSubscription implements Subscription {
  private closed = false;
  private signalled = false;
  private wake: (() => void) | undefined;
  private unregister: (() => void) | undefined;
  private started = false;

  constructor(private readonly options: PollingSubscriptionOptions) {}

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.started) throw new Error('a subscription can be iterated only once');
    this.started = true;
    return this.run();
  }

  close(): Promise<void> {
    if (!this.closed) this.options.onClose?.();
    this.closed = true;
    this.unregister?.();
    this.wake?.();
    return Promise.resolve();
  }

  private async *run(): AsyncGenerator<RecordedEvent> {
    const { notifier, readPage } = this.options;
    if (this.closed) return;
    this.unregister = notifier.add(() => {
      this.signalled = true;
      this.wake?.();
    });
    try {
      await notifier.ensureListening();
      let last = this.options.after;
      while (!this.closed) {
        // Cleared before reading: a notification that arrives during the read is not lost.
        this.signalled = false;
        const page = await readPage(last);
        for (const event of page.events) {
          if (this.closed) return;
          yield event;
          last = event.position;
        }
        if (page.scannedUpTo > last) last = page.scannedUpTo;
        if (!page.full) await this.waitForAppend();
      }
    } finally {
      this.unregister();
    }
  }

  private waitForAppend(): Promise<void> {
    if (this.signalled || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollIntervalMs);
      this.wake = done;
    });
  }
}
