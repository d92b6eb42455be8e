import {
  checkStreamAppends,
  ConcurrencyError,
  DuplicateEventError,
  OutcomeRecordedError,
  type AppendOptions,
  type AppendResult,
  type CommandOutcome,
  type CommandOutcomeKey,
  type EventFilter,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type MultiStreamAppendResult,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
} from '../port.js';

/**
 * The event store in one process's memory, for tests: the whole port, held to the same contract
 * suite as the PostgreSQL and EventStoreDB adapters (event ids unique across the store, atomic
 * multi-stream appends, a gap-free global order, catch-up subscriptions). `beforeAppend` runs
 * before each append is checked, so a test can play "another instance" writing in between.
 */
export class InMemoryEventStore implements EventStore {
  readonly events: RecordedEvent[] = [];
  readonly supportsMultiStreamAppend = true;
  beforeAppend: ((streamId: string) => Promise<void> | void) | undefined;
  private readonly eventIds = new Set<string>();
  private readonly revisions = new Map<string, bigint>();
  private readonly outcomes = new Map<string, CommandOutcome & { readonly recordedAt: Date }>();
  /** Subscriptions waiting for the next append. */
  private readonly waiters = new Set<() => void>();

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    await this.beforeAppend?.(streamId);
    return this.appendNow(streamId, events, expected, options);
  }

  /** An append at once, without `beforeAppend`: what another instance writes in between. */
  appendNow(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    options: AppendOptions = {},
  ): AppendResult {
    const current = this.check(streamId, expected);
    if (events.length === 0) {
      return { nextExpectedRevision: current ?? -1n, position: BigInt(this.events.length) };
    }
    this.checkNewIds(events);
    this.assertNoOutcome(options.outcome);
    const result = this.write(streamId, events);
    this.recordAccepted(options.outcome, result.position);
    this.wake();
    return result;
  }

  /** Every stream and event id is checked before any is written: a failure writes nothing. */
  async appendToStreams(
    appends: readonly StreamAppend[],
    options: AppendOptions = {},
  ): Promise<MultiStreamAppendResult> {
    checkStreamAppends(appends);
    for (const { streamId } of appends) await this.beforeAppend?.(streamId);
    for (const { streamId, expectedRevision } of appends) this.check(streamId, expectedRevision);
    this.checkNewIds(appends.flatMap((a) => a.events));
    this.assertNoOutcome(options.outcome);
    const streams = appends.map(({ streamId, events }) => ({
      streamId,
      nextExpectedRevision: this.write(streamId, events).nextExpectedRevision,
    }));
    const position = BigInt(this.events.length);
    this.recordAccepted(options.outcome, position);
    this.wake();
    return { streams, position };
  }

  recordRefusal(
    outcome: CommandOutcomeKey & { readonly refusal: JsonObject },
  ): Promise<{ readonly first: CommandOutcome; readonly recorded: boolean }> {
    const first = this.outcomes.get(outcome.commandId);
    if (first) return Promise.resolve({ first: withoutTime(first), recorded: false });
    this.outcomes.set(outcome.commandId, { ...outcome, recordedAt: new Date() });
    return Promise.resolve({ first: outcome, recorded: true });
  }

  readOutcome(commandId: string): Promise<CommandOutcome | undefined> {
    const outcome = this.outcomes.get(commandId);
    return Promise.resolve(outcome && withoutTime(outcome));
  }

  purgeOutcomes(before: Date): Promise<number> {
    let purged = 0;
    for (const [commandId, { recordedAt }] of this.outcomes) {
      if (recordedAt < before) {
        this.outcomes.delete(commandId);
        purged += 1;
      }
    }
    return Promise.resolve(purged);
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? 0n;
    const events = this.events.filter((e) => e.streamId === streamId && e.revision >= from);
    return Promise.resolve(events.slice(0, options.maxCount ?? events.length));
  }

  readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const page: RecordedEvent[] = [];
    for (const event of this.eventsAfter(options.after ?? 0n)) {
      if (options.upTo !== undefined && event.position > options.upTo) break;
      if (page.length >= options.maxCount) break;
      if (matches(event, options.filter)) page.push(event);
    }
    return Promise.resolve(page);
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    let cursor = options.after ?? 0n;
    let closed = false;
    let wakeUp: (() => void) | undefined;
    const next = async (): Promise<IteratorResult<RecordedEvent>> => {
      for (;;) {
        if (closed) return { done: true, value: undefined };
        for (const event of this.eventsAfter(cursor)) {
          cursor = event.position;
          if (matches(event, options.filter)) return { done: false, value: event };
        }
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
          this.waiters.add(resolve);
        });
      }
    };
    const close = (): Promise<void> => {
      closed = true;
      if (wakeUp) {
        this.waiters.delete(wakeUp);
        wakeUp();
      }
      return Promise.resolve();
    };
    return {
      close,
      [Symbol.asyncIterator]: () => ({
        next,
        return: async () => {
          await close();
          return { done: true, value: undefined };
        },
      }),
    };
  }

  headPosition(): Promise<bigint> {
    return Promise.resolve(BigInt(this.events.length));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private check(streamId: string, expected: ExpectedRevision): bigint | undefined {
    const current = this.revisions.get(streamId);
    const holds =
      expected === 'any' ||
      (expected === 'no_stream' ? current === undefined : current === expected);
    if (!holds) throw new ConcurrencyError(streamId, expected, current ?? 'no_stream');
    return current;
  }

  /** Checked after every other check of the append, so a failing append records nothing. */
  private assertNoOutcome(outcome: CommandOutcomeKey | undefined): void {
    if (outcome && this.outcomes.has(outcome.commandId))
      throw new OutcomeRecordedError(outcome.commandId);
  }

  private recordAccepted(outcome: CommandOutcomeKey | undefined, position: bigint): void {
    if (!outcome) return;
    this.outcomes.set(outcome.commandId, {
      commandId: outcome.commandId,
      requestHash: outcome.requestHash,
      position,
      recordedAt: new Date(),
    });
  }

  private checkNewIds(events: readonly EventToAppend[]): void {
    const seen = new Set<string>();
    for (const { eventId } of events) {
      if (this.eventIds.has(eventId) || seen.has(eventId)) throw new DuplicateEventError(eventId);
      seen.add(eventId);
    }
  }

  private write(streamId: string, events: readonly EventToAppend[]): AppendResult {
    let revision = this.revisions.get(streamId) ?? -1n;
    for (const event of events) {
      revision += 1n;
      this.eventIds.add(event.eventId);
      this.events.push({
        ...event,
        streamId,
        revision,
        position: BigInt(this.events.length + 1),
        recordedAt: new Date(),
      });
    }
    this.revisions.set(streamId, revision);
    return { nextExpectedRevision: revision, position: BigInt(this.events.length) };
  }

  /** Positions are 1-based and dense: the event at position p is events[p - 1]. */
  private *eventsAfter(after: bigint): Generator<RecordedEvent> {
    for (let i = Number(after); i < this.events.length; i++) yield this.events[i] as RecordedEvent;
  }

  private wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiting) resolve();
  }
}

function withoutTime({
  recordedAt: _,
  ...outcome
}: CommandOutcome & { recordedAt: Date }): CommandOutcome {
  return outcome;
}

function matches(event: RecordedEvent, filter: EventFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => event.streamId.startsWith(p)))
    return false;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}
