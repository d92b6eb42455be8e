/**
 * Runs work for one key at a time, in arrival order. The command handler takes it per stream, so
 * commands on one stream inside this process queue instead of racing each other into optimistic
 * concurrency conflicts; conflicts then only come from other instances, which the retry loop absorbs.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const { promise: current, resolve: release } = Promise.withResolvers<void>();
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    try {
      await previous;
      return await work();
    } finally {
      release();
      // Forget the key once nobody queues behind us, so the map does not grow with every stream.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
