/**
 * Turns an async iterator into batches: waits as long as it takes for a first item, then takes
 * whatever else arrives within `lingerMs`, up to `maxSize`. A read still pending when the linger
 * ends is kept for the next batch (an async iterator's next() cannot be taken back).
 */
export class BatchReader<T> {
  private pending: Promise<IteratorResult<T>> | undefined;
  private finished = false;

  constructor(
    private readonly iterator: AsyncIterator<T>,
    private readonly maxSize: number,
    private readonly lingerMs: number,
  ) {}

  /** The next batch, or undefined once the iterator is done. */
  async next(): Promise<T[] | undefined> {
    if (this.finished) return undefined;
    const first = await this.take();
    if (first.done) return undefined;
    const batch = [first.value];
    const deadline = Date.now() + this.lingerMs;
    while (batch.length < this.maxSize && !this.finished) {
      const left = deadline - Date.now();
      const result = await this.takeWithin(Math.max(left, 0));
      if (result === undefined) break;
      if (result.done) break;
      batch.push(result.value);
    }
    return batch;
  }

  private async take(): Promise<IteratorResult<T>> {
    const result = await (this.pending ?? this.iterator.next());
    this.pending = undefined;
    if (result.done) this.finished = true;
    return result;
  }

  /** An item if one arrives within `ms`, else undefined (the read stays pending). */
  private async takeWithin(ms: number): Promise<IteratorResult<T> | undefined> {
    this.pending ??= this.iterator.next();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      // Even with no time left, yield once: items already buffered resolve in a microtask.
      timer = setTimeout(() => resolve(undefined), ms);
    });
    const result = await Promise.race([this.pending, timeout]);
    clearTimeout(timer);
    if (result === undefined) return undefined;
    this.pending = undefined;
    if (result.done) this.finished = true;
    return result;
  }
}
