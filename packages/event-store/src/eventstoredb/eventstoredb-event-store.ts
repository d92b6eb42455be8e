import {
  ANY,
  BACKWARDS,
  END,
  KurrentDBClient,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  isCommandError,
  jsonEvent,
  streamNameFilter,
  ErrorType,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendStreamState,
  type EventData,
  type Filter,
  type ReadPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  checkStreamAppends,
  ConcurrencyError,
  EventStoreUnavailableError,
  OutcomeRecordedError,
  type AppendOptions,
  type AppendResult,
  type CommandOutcome,
  type CommandOutcomeKey,
  type MultiStreamAppendResult,
  type StreamAppend,
  type EventFilter,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../port.js';

/** Events read per request when readAll has to filter on the client. */
const READ_ALL_CHUNK = 500;

/**
 * Metadata travels through `multiStreamAppend` as record properties, which the client allows
 * only as string values: our metadata (nested actor, numeric schema version) goes as one JSON
 * string under this key and is unpacked on every read.
 */
const PACKED_METADATA = 'bank-metadata';

/**
 * A client command's first outcome is the one event of a stream of its own, written with
 * `no_stream` (so the first outcome is the only one): in the command's multi-stream append when
 * accepted, alone when refused. Its type starts with `$`, so reads of $all and subscriptions pass
 * over it like a system event.
 */
const OUTCOME_STREAM_PREFIX = 'bank-outcome-';
const OUTCOME_EVENT_TYPE = '$bank-command-outcome';

/**
 * The EventStoreDB/KurrentDB adapter, over `@kurrent/kurrentdb-client` (the successor of
 * `@eventstore/db-client`). Positions are the commit positions of $all (byte offsets in the
 * transaction log, so not contiguous). System events (types starting with `$`) are hidden.
 * `appendToStreams` is KurrentDB's `multiStreamAppend`, which needs server 25.1 or newer.
 *
 * Differences from the PostgreSQL adapter, allowed by the port:
 * - a repeated append of the same event ids at the same expected revision is an idempotent
 *   retry for EventStoreDB (success, nothing written), not a DuplicateEventError, and event
 *   ids are not checked for uniqueness across streams;
 * - readAll filters on the client, since the gRPC read of $all takes no filter here;
 * - command outcomes are streams (see OUTCOME_STREAM_PREFIX), which the server keeps: purging
 *   them is left to the server's own retention ($maxAge on the category, scavenging).
 */
export class EventStoreDBEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly subscriptions = new Set<Subscription>();

  constructor(connection: string | KurrentDBClient) {
    this.client =
      typeof connection === 'string' ? KurrentDBClient.connectionString(connection) : connection;
  }

  /** KurrentDB 25.1+ appends to several streams in one transaction (`multiStreamAppend`). */
  readonly supportsMultiStreamAppend = true;

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (options.outcome && events.length > 0) {
      const result = await this.appendToStreams(
        [{ streamId, events, expectedRevision: expected }],
        options,
      );
      const stream = result.streams.find((s) => s.streamId === streamId);
      return {
        nextExpectedRevision: stream?.nextExpectedRevision ?? -1n,
        position: result.position,
      };
    }
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((event) =>
          jsonEvent({
            id: event.eventId,
            type: event.type,
            data: event.data,
            metadata: event.metadata,
          }),
        ),
        { streamState: toStreamState(expected) },
      );
      return {
        nextExpectedRevision: result.nextExpectedRevision,
        position: result.position?.commit ?? 0n,
      };
    } catch (error) {
      throw translateAppendError(error, (stream) => (stream === streamId ? expected : undefined));
    }
  }

  async appendToStreams(
    appends: readonly StreamAppend[],
    options: AppendOptions = {},
  ): Promise<MultiStreamAppendResult> {
    checkStreamAppends(appends);
    const { outcome } = options;
    try {
      const result = await this.client.multiStreamAppend([
        // First, so that the append's position is its last real event's.
        ...(outcome
          ? [
              {
                streamName: outcomeStream(outcome.commandId),
                expectedState: NO_STREAM as AppendStreamState,
                events: [outcomeEvent(outcome)],
              },
            ]
          : []),
        ...appends.map((append) => ({
          streamName: append.streamId,
          expectedState: toStreamState(append.expectedRevision),
          events: append.events.map(packedEvent),
        })),
      ]);
      const revisions = new Map(result.responses.map((r) => [r.streamName, r.revision]));
      return {
        streams: appends.map(({ streamId }) => {
          const revision = revisions.get(streamId);
          if (revision === undefined) {
            throw new Error(`multiStreamAppend answered no revision for ${streamId}`);
          }
          return { streamId, nextExpectedRevision: revision };
        }),
        position: result.position,
      };
    } catch (error) {
      if (
        outcome &&
        error instanceof WrongExpectedVersionError &&
        error.streamName === outcomeStream(outcome.commandId)
      )
        throw new OutcomeRecordedError(outcome.commandId);
      throw translateAppendError(
        error,
        (stream) => appends.find((a) => a.streamId === stream)?.expectedRevision,
      );
    }
  }

  async recordRefusal(
    outcome: CommandOutcomeKey & { readonly refusal: JsonObject },
  ): Promise<{ readonly first: CommandOutcome; readonly recorded: boolean }> {
    try {
      await this.client.appendToStream(outcomeStream(outcome.commandId), [outcomeEvent(outcome)], {
        streamState: NO_STREAM,
      });
      return { first: outcome, recorded: true };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw translate(error);
    }
    const first = await this.readOutcome(outcome.commandId);
    if (!first) throw new Error(`command ${outcome.commandId}: its outcome stream is empty`);
    return { first, recorded: false };
  }

  async readOutcome(commandId: string): Promise<CommandOutcome | undefined> {
    try {
      const read = this.client.readStream(outcomeStream(commandId), {
        fromRevision: START,
        maxCount: 1,
      });
      for await (const resolved of read) {
        const event = resolved.event;
        if (!event || event.type !== OUTCOME_EVENT_TYPE) continue;
        const data = asObject(event.data);
        return {
          commandId,
          requestHash: typeof data.requestHash === 'string' ? data.requestHash : '',
          ...(data.refusal === undefined ? {} : { refusal: asObject(data.refusal) }),
        };
      }
      return undefined;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw translate(error);
    }
  }

  /** The server's retention removes outcome streams (see the class comment); nothing here. */
  purgeOutcomes(): Promise<number> {
    return Promise.resolve(0);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        fromRevision: options.fromRevision ?? START,
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      for await (const resolved of read) {
        const event = toRecordedEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translate(error);
    }
    return events;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    let after = options.after;
    let from: ReadPosition = after === undefined ? START : positionOf(after);
    try {
      while (events.length < options.maxCount) {
        const read = this.client.readAll({ fromPosition: from, maxCount: READ_ALL_CHUNK });
        let seen = 0;
        let last: bigint | undefined;
        for await (const resolved of read) {
          seen++;
          const commit = resolved.event?.position.commit;
          if (commit === undefined) continue;
          last = commit;
          // fromPosition is inclusive; `after` is not.
          if (after !== undefined && commit <= after) continue;
          if (options.upTo !== undefined && commit > options.upTo) {
            return events; // leaving the loop cancels the read
          }
          const event = toRecordedEvent(resolved);
          if (event && matches(event, options.filter)) {
            events.push(event);
            if (events.length >= options.maxCount) {
              return events; // leaving the loop cancels the read
            }
          }
        }
        if (seen < READ_ALL_CHUNK || last === undefined) break;
        // The next chunk starts at the last event again (inclusive), which `after` skips.
        from = positionOf(last);
        after = last;
      }
    } catch (error) {
      throw translate(error);
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const { filter, after } = options;
    const inner: AllStreamSubscription = this.client.subscribeToAll({
      fromPosition: after === undefined ? START : positionOf(after),
      filter: serverFilter(filter),
    });
    const subscriptions = this.subscriptions;
    const subscription: Subscription = {
      async *[Symbol.asyncIterator]() {
        try {
          for await (const resolved of inner) {
            const event = toRecordedEvent(resolved);
            if (!event) continue;
            if (after !== undefined && event.position <= after) continue;
            if (matches(event, filter)) yield event;
          }
        } catch (error) {
          throw translate(error);
        }
      },
      async close() {
        subscriptions.delete(subscription);
        await inner.unsubscribe();
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    try {
      const read = this.client.readAll({
        fromPosition: END,
        direction: BACKWARDS,
        maxCount: READ_ALL_CHUNK,
      });
      for await (const resolved of read) {
        const event = resolved.event;
        if (event && !event.type.startsWith('$')) {
          return event.position.commit; // leaving the loop cancels the read
        }
      }
      return 0n;
    } catch (error) {
      throw translate(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }
}

function outcomeStream(commandId: string): string {
  return `${OUTCOME_STREAM_PREFIX}${commandId}`;
}

function outcomeEvent(outcome: CommandOutcomeKey & { readonly refusal?: JsonObject }): EventData {
  return jsonEvent({
    type: OUTCOME_EVENT_TYPE,
    data: {
      requestHash: outcome.requestHash,
      ...(outcome.refusal === undefined ? {} : { refusal: outcome.refusal }),
    },
  });
}

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  return expected;
}

/** Metadata packed into one string property, as `multiStreamAppend` requires (see PACKED_METADATA). */
function packedEvent(event: EventToAppend): EventData {
  return jsonEvent({
    id: event.eventId,
    type: event.type,
    data: event.data,
    metadata: { [PACKED_METADATA]: JSON.stringify(event.metadata) },
  });
}

/** The wrong expected revision of the named stream as our ConcurrencyError; others translated. */
function translateAppendError(
  error: unknown,
  expectedOf: (streamId: string) => ExpectedRevision | undefined,
): unknown {
  if (error instanceof WrongExpectedVersionError) {
    const expected = expectedOf(error.streamName);
    if (expected !== undefined) {
      const actual = error.actualState;
      return new ConcurrencyError(
        error.streamName,
        expected,
        typeof actual === 'bigint' && actual >= 0n ? actual : 'no_stream',
      );
    }
  }
  return translate(error);
}

function positionOf(position: bigint): ReadPosition {
  return { commit: position, prepare: position };
}

/**
 * The server filters on one thing only (stream name or event type); the other one, and the
 * hiding of system events, is applied on the client in `matches`.
 */
function serverFilter(filter: EventFilter | undefined): Filter {
  const prefixes = filter?.streamPrefixes ?? [];
  const types = filter?.eventTypes ?? [];
  if (types.length > 0) {
    return eventTypeFilter({ regex: `^(?:${types.map(escapeRegex).join('|')})$` });
  }
  if (prefixes.length > 0) return streamNameFilter({ prefixes: [...prefixes] });
  return excludeSystemEvents();
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function matches(event: RecordedEvent, filter: EventFilter | undefined): boolean {
  const prefixes = filter?.streamPrefixes ?? [];
  const types = filter?.eventTypes ?? [];
  return (
    (prefixes.length === 0 || prefixes.some((prefix) => event.streamId.startsWith(prefix))) &&
    (types.length === 0 || types.includes(event.type))
  );
}

/** Ours from theirs; undefined for system events, links without targets and binary events. */
function toRecordedEvent(
  resolved: ResolvedEvent | AllStreamResolvedEvent,
): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || event.type.startsWith('$') || !event.isJson) return undefined;
  return {
    streamId: event.streamId,
    revision: event.revision,
    // Reads of a single stream carry the commit position only on servers newer than 22.6.
    position: event.position?.commit ?? resolved.commitPosition ?? 0n,
    eventId: event.id,
    type: event.type,
    data: asObject(event.data),
    metadata: unpackMetadata(asObject(event.metadata)),
    recordedAt: event.created,
  };
}

/** Metadata written by `appendToStreams` comes back packed in one property (see PACKED_METADATA). */
function unpackMetadata(metadata: JsonObject): JsonObject {
  const packed = metadata[PACKED_METADATA];
  if (typeof packed !== 'string') return metadata;
  try {
    return asObject(JSON.parse(packed));
  } catch {
    return metadata;
  }
}

function asObject(value: unknown): JsonObject {
  return typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
    ? (value as JsonObject)
    : {};
}

/** Failures that mean "retry later": the node is down, slow, or not the leader. */
const unavailableTypes = new Set<ErrorType>([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
]);

function translate(error: unknown): unknown {
  if (error instanceof Error && isCommandError(error) && unavailableTypes.has(error.type)) {
    return new EventStoreUnavailableError(`EventStoreDB unavailable: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}
