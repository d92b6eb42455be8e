/**
 * The event store's head position, read on demand (one read at a time for the whole process).
 * A consistency token up to the head names an event the views will reach; one beyond it was
 * never returned by a command.
 */
export class StoreHead {
  private seen = 0n;
  private current: Promise<bigint> | undefined;
  private next: Promise<bigint> | undefined;

  constructor(private readonly readHead: () => Promise<bigint>) {}

  /** The highest head read so far (0 before the first read). */
  get lastSeen(): bigint {
    return this.seen;
  }

  /**
   * The head, from a read that started after this call: a read already in flight may have
   * started before the caller's command was appended, so the caller waits for the one after it
   * (shared by everyone who asks meanwhile).
   */
  fresh(): Promise<bigint> {
    if (!this.current) return this.start();
    this.next ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<bigint> {
    const read: Promise<bigint> = this.readHead()
      .then((head) => {
        if (head > this.seen) this.seen = head;
        return head;
      })
      .finally(() => {
        if (this.current === read) this.current = undefined;
      });
    this.current = read;
    return read;
  }
}
