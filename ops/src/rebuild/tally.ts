import type { Progress } from '../cli/progress.js';

/**
 * What the rebuild's progress bar and summary count: the projection's events, read and written.
 * The total is the store's count of them up to the head at the start (when the store can count
 * without reading: PostgreSQL), grown by each event read past that head (appended since), so the
 * count ends equal to the total and never passes it. Unknown total (EventStoreDB): no ETA.
 */
export class EventTally {
  private done = 0;

  constructor(
    private readonly progress: Progress,
    /** The head the total was counted up to; undefined when no total is known. */
    private readonly countedUpTo: bigint | undefined,
  ) {}

  /** Events just read: those past the counted head join the total. */
  read(events: ReadonlyArray<{ readonly position: bigint }>): void {
    if (this.countedUpTo === undefined) return;
    let appended = 0;
    for (const event of events) if (event.position > this.countedUpTo) appended += 1;
    if (appended > 0) this.progress.addToTotal(appended);
  }

  /** Events whose rows are committed. */
  written(count: number): void {
    this.done += count;
    this.progress.add(count);
  }

  get count(): number {
    return this.done;
  }
}
