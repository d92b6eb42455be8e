import type { EventFilter, EventStore, RecordedEvent } from '@bank/event-store';
import type { Logger } from '@bank/platform';

const PAGE_SIZE = 1000;

/**
 * The shape of the command service's background workers: follow a filtered slice of the global
 * order (from the start at boot, then only what is new), and every interval act on what the
 * events say is due. `observe` sees each event once, in order; `act` runs after each catch-up.
 */
export class StoreFollower {
  private after = 0n;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly options: {
      readonly store: EventStore;
      readonly filter: EventFilter;
      readonly intervalMs: number;
      readonly logger: Logger;
      readonly observe: (event: RecordedEvent) => void;
      readonly act: (isStopped: () => boolean) => Promise<number>;
      /** Checked after each pass that succeeded: true ends the schedule (as `stop` would). */
      readonly finished?: () => boolean;
    },
  ) {}

  /** Runs a first pass now, then one every interval. */
  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pass;
  }

  /** One pass: catch up with new events, then act. Returns what `act` counted. */
  async runOnce(): Promise<number> {
    for (;;) {
      const page = await this.options.store.readAll({
        after: this.after,
        maxCount: PAGE_SIZE,
        filter: this.options.filter,
      });
      for (const event of page) {
        this.after = event.position;
        this.options.observe(event);
      }
      if (page.length < PAGE_SIZE) break;
    }
    return await this.options.act(() => this.stopped);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pass = this.runOnce().then(
        () => {
          if (!this.options.finished?.()) this.schedule(this.options.intervalMs);
        },
        (error: unknown) => {
          this.options.logger.error({ err: error }, 'background pass failed');
          this.schedule(this.options.intervalMs);
        },
      );
    }, delayMs);
    this.timer.unref();
  }
}
