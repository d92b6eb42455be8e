import type { AppendResult, EventToAppend, ExpectedRevision } from '../port.js';

export interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for appends from one process. Appends are serialised by the table's lock and each
 * commit waits for its WAL flush, so one append at a time caps throughput at one flush per
 * append. Here the first append goes out at once; appends that arrive while a batch is in flight
 * wait for it and then go together, in arrival order, in one transaction and one flush. A lone
 * writer pays nothing; concurrent writers share flushes.
 */
export class AppendBatcher {
  private queue: PendingAppend[] = [];
  private inFlight = false;

  constructor(
    private readonly flush: (batch: readonly PendingAppend[]) => Promise<void>,
    private readonly maxBatch = 64,
  ) {}

  submit(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, expected, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight = true;
    this.flush(batch)
      .catch((error: unknown) => {
        for (const pending of batch) pending.reject(error);
      })
      .finally(() => {
        this.inFlight = false;
        this.drain();
      });
  }
}
