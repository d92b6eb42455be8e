import {
  checkStreamAppends,
  ConcurrencyError,
  type AppendResult,
  type MultiStreamAppendResult,
  type StreamAppend,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type RecordedEvent,
  type Subscription,
} from '@bank/event-store';

/**
 * Just enough of an event store for unit tests of the command handler: streams with optimistic
 * concurrency, and a hook that runs before each append so a test can play "another instance".
 */
export class InMemoryEventStore implements EventStore {
  readonly events: RecordedEvent[] = [];
  beforeAppend: ((streamId: string) => Promise<void> | void) | undefined;
  readonly supportsMultiStreamAppend = true;

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const hook = this.beforeAppend;
    if (hook) await hook(streamId);
    return this.appendNow(streamId, events, expected);
  }

  /** All streams are checked before any is written, so a conflict anywhere writes nothing. */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<MultiStreamAppendResult> {
    checkStreamAppends(appends);
    const hook = this.beforeAppend;
    if (hook) for (const { streamId } of appends) await hook(streamId);
    for (const { streamId, expectedRevision } of appends) this.check(streamId, expectedRevision);
    let position = 0n;
    const streams = appends.map(({ streamId, events, expectedRevision }) => {
      const result = this.appendNow(streamId, events, expectedRevision);
      position = result.position;
      return { streamId, nextExpectedRevision: result.nextExpectedRevision };
    });
    return { streams, position };
  }

  private check(streamId: string, expected: ExpectedRevision): bigint | undefined {
    const current = this.events.filter((e) => e.streamId === streamId).at(-1)?.revision;
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' ? current === undefined : current === expected);
    if (!ok) throw new ConcurrencyError(streamId, expected, current ?? 'no_stream');
    return current;
  }

  appendNow(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): AppendResult {
    const current = this.check(streamId, expected);
    let revision = current ?? -1n;
    for (const event of events) {
      revision += 1n;
      this.events.push({
        ...event,
        streamId,
        revision,
        position: BigInt(this.events.length + 1),
        recordedAt: new Date(),
      });
    }
    return { nextExpectedRevision: revision, position: BigInt(this.events.length) };
  }

  readStream(streamId: string): Promise<RecordedEvent[]> {
    return Promise.resolve(this.events.filter((e) => e.streamId === streamId));
  }

  readAll(): Promise<RecordedEvent[]> {
    return Promise.reject(new Error('not implemented'));
  }

  subscribeToAll(): Subscription {
    throw new Error('not implemented');
  }

  headPosition(): Promise<bigint> {
    return Promise.resolve(BigInt(this.events.length));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
