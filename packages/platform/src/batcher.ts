/**
 * Turns many small requests into few round trips. A request goes out at once while fewer than
 * `maxInFlight` batches are out; requests that arrive meanwhile queue, and the next free slot
 * takes them all (up to `maxBatch`) in one call of `run`. A lone caller pays nothing; under load,
 * N concurrent callers share one statement and one commit instead of paying for N.
 *
 * `run` answers one result per item, in order, or throws to fail the whole batch.
 */
export class Batcher<I, O> {
  private queue: Array<{
    readonly item: I;
    readonly resolve: (result: O) => void;
    readonly reject: (error: unknown) => void;
  }> = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly options: { readonly maxInFlight: number; readonly maxBatch: number },
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
      this.run(batch.map((pending) => pending.item))
        .then((results) => {
          if (results.length !== batch.length) {
            throw new Error(`batch of ${batch.length} answered ${results.length} results`);
          }
          batch.forEach((pending, i) => pending.resolve(results[i] as O));
        })
        .catch((error: unknown) => {
          for (const pending of batch) pending.reject(error);
        })
        .finally(() => {
          this.inFlight -= 1;
          this.drain();
        });
    }
  }
}
