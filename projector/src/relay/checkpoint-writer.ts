/**
 * The relay's checkpoint, written off the relay's critical path: at most every `intervalMs`, in
 * the background, and on flush(). Only positions Kafka acknowledged are ever recorded, so the
 * checkpoint is never ahead of Kafka; it may be behind by up to the interval, which after a crash
 * means re-sending those events (duplicates the consumer skips), never losing one.
 */
export class CheckpointWriter {
  private pending: bigint | undefined;
  private lastWrite = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (position: bigint) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Kafka acknowledged everything up to `position`. */
  advance(position: bigint): void {
    if (this.pending === undefined || position > this.pending) this.pending = position;
    const wait = this.lastWrite + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.flush().catch(this.onError);
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(this.onError);
    }, wait);
  }

  /** Writes the pending position now (after any write in flight); resolves once it is stored. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.chain.then(async () => {
      const position = this.pending;
      if (position === undefined) return;
      this.pending = undefined;
      this.lastWrite = Date.now();
      try {
        await this.write(position);
      } catch (error) {
        if (this.pending === undefined || this.pending < position) this.pending = position;
        throw error;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
