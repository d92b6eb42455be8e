/**
 * The event store port. Two adapters implement it (PostgreSQL, EventStoreDB) and both pass
 * the same contract suite (contract.ts).
 *
 * Positions are a single global order over all streams, as bigint. A reader that follows
 * positions upwards sees every committed event exactly once, even when transactions commit
 * in a different order than they began.
 */

export type JsonObject = { [key: string]: unknown };

/** `no_stream`: the stream must not exist; `any`: no check; bigint: revision of its last event. */
export type ExpectedRevision = 'no_stream' | 'any' | bigint;

export interface EventToAppend {
  readonly eventId: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

export interface RecordedEvent {
  readonly streamId: string;
  /** 0-based position of the event in its stream. */
  readonly revision: bigint;
  /** Global position, increasing in the order readers see events. */
  readonly position: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly recordedAt: Date;
}

export interface AppendResult {
  /** Revision of the last appended event: the expected revision of the next append. */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last appended event: the consistency token. */
  readonly position: bigint;
}

/** One stream's part of an atomic multi-stream append. */
export interface StreamAppend {
  readonly streamId: string;
  readonly expectedRevision: ExpectedRevision;
  /** At least one event. */
  readonly events: readonly EventToAppend[];
}

export interface MultiStreamAppendResult {
  /** Per stream, in the order the appends were given: the expected revision of its next append. */
  readonly streams: ReadonlyArray<{
    readonly streamId: string;
    readonly nextExpectedRevision: bigint;
  }>;
  /** Global position of the last event appended (of the last stream given): the consistency token. */
  readonly position: bigint;
}

/** A client command, as its first outcome is recorded: its id and the hash of its request. */
export interface CommandOutcomeKey {
  readonly commandId: string;
  readonly requestHash: string;
}

/**
 * A client command's first outcome: accepted (its events were appended with it) or refused (with
 * what it was refused with). Kept at least for the idempotency retention, then purged.
 */
export interface CommandOutcome extends CommandOutcomeKey {
  /** Present when the command was refused. */
  readonly refusal?: JsonObject;
  /**
   * An acceptance's append position (its last event's), where the store records it: what the
   * first answer gave as the consistency token.
   */
  readonly position?: bigint;
}

export interface AppendOptions {
  /**
   * Records this command as accepted, in the same transaction as the events. A command that has
   * an outcome already fails the whole append with OutcomeRecordedError.
   */
  readonly outcome?: CommandOutcomeKey;
}

export interface EventFilter {
  /** Keep events whose stream id starts with one of these. */
  readonly streamPrefixes?: readonly string[];
  /** Keep events of these types. */
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive lower bound; omitted means from the first event. */
  readonly after?: bigint;
  /** Inclusive upper bound. */
  readonly upTo?: bigint;
  readonly maxCount: number;
  readonly filter?: EventFilter;
}

export interface ReadStreamOptions {
  /** Inclusive; omitted means from revision 0. */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  readonly after?: bigint;
  readonly filter?: EventFilter;
}

/** A live, catch-up subscription over the global order. Iterate it; close it when done. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Whether `appendToStreams` is offered. A store without it rejects every call with
   * MultiStreamAppendUnsupportedError; callers fall back to one append per stream.
   */
  readonly supportsMultiStreamAppend: boolean;
  append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /**
   * Appends to several streams at once, all or nothing: every stream is checked at its own
   * expected revision and every event is written in one transaction, or nothing is. The events
   * take consecutive places in the global order (no other append's event falls between them),
   * stream by stream in the order given. A stream whose revision does not hold fails the whole
   * append with the ConcurrencyError a single append would give (the first such stream in the
   * order given); an event id already stored fails it with DuplicateEventError. Each stream may
   * appear once, with at least one event (InvalidAppendError otherwise).
   */
  appendToStreams(
    appends: readonly StreamAppend[],
    options?: AppendOptions,
  ): Promise<MultiStreamAppendResult>;
  /**
   * Records a refusal as the command's first outcome, unless it has one already; answers the
   * first outcome (this one, `recorded`; or the one recorded before, accepted or refused).
   */
  recordRefusal(
    outcome: CommandOutcomeKey & { readonly refusal: JsonObject },
  ): Promise<{ readonly first: CommandOutcome; readonly recorded: boolean }>;
  /** A command's first outcome, if it has one that was not purged yet. */
  readOutcome(commandId: string): Promise<CommandOutcome | undefined>;
  /** Forgets the outcomes recorded before `before`; answers how many. */
  purgeOutcomes(before: Date): Promise<number>;
  /** Events of one stream in revision order; empty when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** One page of the global order. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** Global position of the newest event, 0n when the store is empty. */
  headPosition(): Promise<bigint>;
  /**
   * How many events `readAll` would return from `after` to `upTo` with `filter`, counted without
   * reading them; only adapters that can do that cheaply offer it (PostgreSQL: one SQL count).
   */
  countEvents?(options: Omit<ReadAllOptions, 'maxCount'>): Promise<number>;
  close(): Promise<void>;
}

/** The stream was not at the expected revision. */
export class ConcurrencyError extends Error {
  readonly type = 'ConcurrencyError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${streamId} expected at ${String(expected)} but is at ${String(actual)}`);
  }
}

/** An event id was appended before (to any stream). */
export class DuplicateEventError extends Error {
  readonly type = 'DuplicateEventError';
  constructor(readonly eventId: string) {
    super(`event ${eventId} already exists`);
  }
}

/** The command of an append has an outcome already (accepted, or refused: see readOutcome). */
export class OutcomeRecordedError extends Error {
  readonly type = 'OutcomeRecordedError';
  constructor(readonly commandId: string) {
    super(`command ${commandId} has an outcome already`);
  }
}

/** A multi-stream append the port does not allow (no streams, a stream twice, a stream with no events). */
export class InvalidAppendError extends Error {
  readonly type = 'InvalidAppendError';
}

/** The store cannot append to several streams atomically (see EventStore.supportsMultiStreamAppend). */
export class MultiStreamAppendUnsupportedError extends Error {
  readonly type = 'MultiStreamAppendUnsupportedError';
  constructor(store: string) {
    super(`${store} cannot append to several streams atomically`);
  }
}

/** Checks the shape of a multi-stream append; every adapter calls it first. */
export function checkStreamAppends(appends: readonly StreamAppend[]): void {
  if (appends.length === 0) throw new InvalidAppendError('a multi-stream append needs a stream');
  const seen = new Set<string>();
  for (const { streamId, events } of appends) {
    if (seen.has(streamId)) {
      throw new InvalidAppendError(`stream ${streamId} appears twice in one multi-stream append`);
    }
    seen.add(streamId);
    if (events.length === 0) {
      throw new InvalidAppendError(`stream ${streamId} has no events in a multi-stream append`);
    }
  }
}

/** The store could not be reached or failed; the operation may be retried. */
export class EventStoreUnavailableError extends Error {
  readonly type = 'EventStoreUnavailableError';
}
