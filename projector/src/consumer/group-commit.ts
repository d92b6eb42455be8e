/**
 * Group commit: work submitted while a flush is in flight, or in the same turn of the event loop,
 * is handed to ONE call of `flush`. Each submitter's promise settles with that call: resolved when
 * it succeeded, rejected with its error otherwise. Flushes never overlap.
 *
 * The consumer submits the chunks of all partitions a fetch returned (kafkajs calls eachBatch for
 * them in the same turn), so they are applied in one transaction instead of one each.
 */
export class GroupCommit<T> {
  private queue: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;
  private flushing = false;

  constructor(private readonly flush: (items: readonly T[]) => Promise<void>) {}

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate, not a microtask: every eachBatch kafkajs starts in this turn submits first.
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    const group = this.queue.splice(0);
    if (group.length === 0) return;
    this.flushing = true;
    try {
      await this.flush(group.map((entry) => entry.item));
      for (const entry of group) entry.resolve();
    } catch (error) {
      for (const entry of group) entry.reject(error);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
