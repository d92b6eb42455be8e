/** A request waiting in a batch: its item, and how to answer it. */
export interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (result: O) => void;
  readonly reject: (error: unknown) => void;
}

export interface BatchOptions {
  /** Batches out at once. */
  readonly maxInFlight: number;
  /** Requests per batch at most. */
  readonly maxBatch: number;
}

/**
 * Turns many small requests into few round trips. A request goes out at once while fewer than
 * `maxInFlight` batches are out; requests that arrive meanwhile queue, and the next free slot
 * takes them all (up to `maxBatch`), in arrival order, in one call of `flush`. A lone caller
 * pays nothing; under load, N concurrent callers share one statement and one commit instead of
 * paying for N.
 *
 * `flush` answers each request of its batch itself, so one request may fail while the others
 * succeed; if `flush` throws, every request of the batch it has not answered fails with it.
 */
export class BatchQueue<I, O> {
  private queue: Array<Pending<I, O>> = [];
  private inFlight = 0;

  constructor(
    private readonly flush: (batch: ReadonlyArray<Pending<I, O>>) => Promise<void>,
    private readonly options: BatchOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      this.flush(batch)
        .catch((error: unknown) => {
          // Promises already answered ignore this.
          for (const pending of batch) pending.reject(error);
        })
        .finally(() => {
          this.inFlight -= 1;
          this.drain();
        });
    }
  }
}

/**
 * A BatchQueue whose `run` answers one result per item, in order, or throws to fail the whole
 * batch.
 */
export class Batcher<I, O> {
  private readonly queue: BatchQueue<I, O>;

  constructor(run: (items: readonly I[]) => Promise<readonly O[]>, options: BatchOptions) {
    this.queue = new BatchQueue<I, O>(async (batch) => {
      const results = await run(batch.map((pending) => pending.item));
      if (results.length !== batch.length) {
        throw new Error(`batch of ${batch.length} answered ${results.length} results`);
      }
      batch.forEach((pending, i) => pending.resolve(results[i] as O));
    }, options);
  }

  submit(item: I): Promise<O> {
    return this.queue.submit(item);
  }
}
