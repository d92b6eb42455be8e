import {
  CURRENT_SCHEMA_VERSION,
  encodeEventData,
  type BankEvent,
  type Decision,
  type EventMetadata,
  type Rejection,
} from '@bank/domain';
import {
  ConcurrencyError,
  DuplicateEventError,
  EventStoreUnavailableError,
  type AppendOptions,
  type EventStore,
  type EventToAppend,
} from '@bank/event-store';
import { AppError, failSpan, SpanKind, startSpan, traceparentOf } from '@bank/platform';
import type { CommandMetrics } from '../metrics.js';
import type { StreamKind } from './stream-kind.js';
import { backoffMs, sleep } from './backoff.js';
import type { CommandContext } from './command-context.js';
import { assertBeforeDeadline, deadlineExceeded, remainingMs } from './deadline.js';
import { KeyedMutex } from './keyed-mutex.js';
import { eventIdFor } from './name-uuid.js';
import { StreamCache } from './stream-cache.js';
import type { EarlierResult, LoadedStream } from './stream-loader.js';

export interface Accepted<S> {
  readonly ok: true;
  readonly state: S;
  /** Stream revision after the command (or after its first run, when replayed). */
  readonly revision: bigint;
  /** Global position of the command's last event: the consistency token. */
  readonly position: bigint;
  /** True when the command id had appended to this stream before; nothing new was appended. */
  readonly replayed: boolean;
  /** Id of the last event the command appended (or had appended); the stream's last one otherwise. */
  readonly lastEventId: string | undefined;
  /** The events the command appended (or had appended, when replayed); none when it had nothing to do. */
  readonly events: readonly BankEvent[];
}

export interface Rejected {
  readonly ok: false;
  readonly rejection: Rejection;
}

export type Outcome<S> = Accepted<S> | Rejected;

export interface HandleOptions<S> {
  /**
   * Runs on the loaded state before anything else, replays included: who may touch this stream
   * at all. Throws (an AppError) to refuse.
   */
  readonly guard?: (state: S) => void;
}

/** Events one command appends to one stream, each with the command id it is stamped with. */
export interface PlannedEvent {
  readonly event: BankEvent;
  /** The command the event belongs to (its idempotency key on this stream). */
  readonly commandId: string;
  readonly causationId: string;
}

/** One stream's part of a multi-stream append, decided on `loaded`. */
export interface PlannedWrite {
  readonly streamId: string;
  /** Revision the decision was made on (undefined: the stream did not exist). */
  readonly revision: bigint | undefined;
  readonly events: readonly PlannedEvent[];
  /** The stream's state after the events, for the cache. */
  readonly stateAfter: unknown;
}

/** Plans a write: the events folded onto the state they were decided on. */
export function planWrite<S, E extends BankEvent>(
  streamId: string,
  kind: StreamKind<S, E>,
  loaded: LoadedStream<S>,
  events: ReadonlyArray<{
    readonly event: E;
    readonly commandId: string;
    readonly causationId: string;
  }>,
): PlannedWrite & { readonly stateAfter: S } {
  let state = loaded.state;
  for (const { event } of events) state = kind.evolve(state, event);
  return { streamId, revision: loaded.revision, events, stateAfter: state };
}

/** The streams a multi-stream command reads, as it sees them in one attempt. */
export interface StreamsView {
  /**
   * A stream's state: on the first attempt possibly from the cache (`verified: false`), after a
   * conflict or a `recheck` read just now. With `commandId`, `earlier` tells whether that command
   * appended to the stream before.
   */
  load<S, E extends BankEvent>(
    streamId: string,
    kind: StreamKind<S, E>,
    commandId?: string,
  ): Promise<LoadedStream<S> & { readonly verified: boolean }>;
}

/** What a multi-stream command decided in one attempt. */
export type StreamsDecision<T> =
  /** Nothing to append; the answer stands. */
  | { readonly kind: 'answer'; readonly result: T }
  /** The answer rests on a cached view: read the streams again and decide again. */
  | { readonly kind: 'recheck' }
  /** Append these writes atomically; the answer from the append's position. */
  | {
      readonly kind: 'append';
      readonly writes: readonly PlannedWrite[];
      readonly result: (position: bigint) => T;
    };

export interface CommandHandlerOptions {
  readonly store: EventStore;
  readonly metrics: CommandMetrics;
  /** Reloads after a concurrency conflict before answering ABORTED. */
  readonly maxRetries: number;
  /** Folded streams kept in memory (see StreamCache); its default when omitted. */
  readonly cacheStreams?: number;
  readonly random?: () => number;
}

/**
 * The reusable core of every command: load the stream, answer a repeated command id with its
 * first result, decide, append at the expected revision, and on a conflict reload and decide again.
 *
 * Idempotency rests on the events themselves: each carries its command id in metadata, so "was
 * this command applied?" is answered by the stream, across restarts and instances. Concurrent
 * duplicates both decide on revision N; one append wins, the other conflicts, reloads and finds
 * its command id. Event ids are derived from (command id, stream, index), so the store's unique
 * event id is a second guard. A rejected command appends nothing, so sending it again decides again
 * (the balance may have changed since): only effects are idempotent, not refusals.
 */
export class CommandHandler {
  private readonly mutex = new KeyedMutex();
  private readonly cache: StreamCache;
  private readonly random: () => number;

  constructor(private readonly options: CommandHandlerOptions) {
    this.random = options.random ?? Math.random;
    this.cache = new StreamCache(options.store, options.cacheStreams, (source) =>
      options.metrics.streamLoads.inc({ source }),
    );
  }

  /**
   * The current state of a stream, read in turn with the commands on it. With `cachedIsEnough`,
   * a stream this process has cached is answered from memory: for facts that never change once
   * seen (an account's owner and currency) or decisions that an append will check anyway. A
   * stream not seen yet, or seen as not existing, is always read.
   */
  async read<S, E extends BankEvent>(
    streamId: string,
    kind: StreamKind<S, E>,
    options: { readonly cachedIsEnough?: boolean } = {},
  ): Promise<LoadedStream<S>> {
    return await this.mutex.run(streamId, () =>
      unavailableAsAppError(async () => {
        if (options.cachedIsEnough) {
          const cached = await this.cache.load(streamId, kind, undefined, {
            trustCache: true,
          });
          if (cached.revision !== undefined) return cached;
        }
        return await this.cache.load(streamId, kind);
      }),
    );
  }

  async handle<S, E extends BankEvent>(
    streamId: string,
    kind: StreamKind<S, E>,
    decide: (state: S) => Decision<E>,
    context: CommandContext,
    handleOptions: HandleOptions<S> = {},
  ): Promise<Outcome<S>> {
    assertBeforeDeadline(context.deadline);
    return await this.mutex.run(streamId, () =>
      this.attempt(streamId, kind, decide, context, handleOptions),
    );
  }

  /** Whether the store appends to several streams atomically (see `handleAcross`). */
  get supportsMultiStreamAppend(): boolean {
    return this.options.store.supportsMultiStreamAppend;
  }

  /**
   * A command decided on several streams and appended to them in one atomic multi-stream append
   * (the store must offer it). Each stream's mutex is held throughout, taken in sorted order so
   * two such commands never wait on each other in a cycle. `decide` loads what it needs through
   * the view; a concurrency conflict on any stream reloads and decides again, as `handle` does.
   * Only the streams named in `streamIds` may be loaded or written.
   */
  async handleAcross<T>(
    streamIds: readonly string[],
    context: CommandContext,
    decide: (view: StreamsView) => Promise<StreamsDecision<T>>,
  ): Promise<T> {
    assertBeforeDeadline(context.deadline);
    const sorted = [...new Set(streamIds)].sort();
    const locked = (index: number): Promise<T> => {
      const streamId = sorted[index];
      if (streamId === undefined) return this.attemptAcross(new Set(sorted), context, decide);
      return this.mutex.run(streamId, () => locked(index + 1));
    };
    return await locked(0);
  }

  private async attemptAcross<T>(
    streams: ReadonlySet<string>,
    context: CommandContext,
    decide: (view: StreamsView) => Promise<StreamsDecision<T>>,
  ): Promise<T> {
    let trustCache = true;
    for (let attempt = 0; ;) {
      assertBeforeDeadline(context.deadline);
      const fresh = !trustCache;
      trustCache = false;
      const decision = await decide(this.viewOf(streams, { trustCache: !fresh }));
      if (decision.kind === 'answer') return decision.result;
      if (decision.kind === 'recheck') {
        if (fresh) throw new Error(`${context.command}: asked to recheck a view read just now`);
        continue;
      }
      try {
        const position = await this.appendWrites(decision.writes, context);
        return decision.result(position);
      } catch (error) {
        if (!isConflict(error)) throw error;
        await this.backOff(attempt, context, error.message);
        attempt += 1;
      }
    }
  }

  /** The streams a multi-stream command locked, loaded from the cache or read just now. */
  private viewOf(
    streams: ReadonlySet<string>,
    { trustCache }: { readonly trustCache: boolean },
  ): StreamsView {
    return {
      load: (streamId, kind, commandId) => {
        if (!streams.has(streamId)) throw new Error(`${streamId} is not locked by this command`);
        return unavailableAsAppError(() =>
          this.cache.load(streamId, kind, commandId, { trustCache }),
        );
      },
    };
  }

  /** Appends planned writes in one atomic multi-stream append and caches what they left. */
  private async appendWrites(
    writes: readonly PlannedWrite[],
    context: CommandContext,
  ): Promise<bigint> {
    const count = writes.reduce((sum, w) => sum + w.events.length, 0);
    const appended = await this.observedAppend(
      writes.map((w) => w.streamId).join(' '),
      count,
      (traceparent) =>
        this.options.store.appendToStreams(
          writes.map((write) => ({
            streamId: write.streamId,
            expectedRevision: write.revision ?? 'no_stream',
            events: storedEventsOf(write, context, traceparent),
          })),
          outcomeOf(context, (commandId) =>
            writes.some((write) => write.events.some((e) => e.commandId === commandId)),
          ),
        ),
    );
    writes.forEach((write, i) => {
      for (const { event } of write.events)
        this.options.metrics.eventsAppended.inc({ type: event.type });
      const revision = appended.streams[i]?.nextExpectedRevision;
      if (revision === undefined) return;
      // The position of the whole append: every event of this stream is visible at it.
      for (const commandId of new Set(write.events.map((e) => e.commandId))) {
        this.cache.appended(write.streamId, write.stateAfter, commandId, {
          revision,
          position: appended.position,
          eventId: eventIdOfLast(write),
          created: write.revision === undefined,
        });
      }
    });
    return appended.position;
  }

  /**
   * Runs one append with its span (the parent the projector's spans hang off: its traceparent is
   * stored with the events and travels on through Kafka) and its duration metric. The store being
   * down becomes the caller's UNAVAILABLE.
   */
  private async observedAppend<R>(
    streams: string,
    events: number,
    append: (traceparent: string | undefined) => Promise<R>,
  ): Promise<R> {
    const span = startSpan('event-store append', {
      kind: SpanKind.CLIENT,
      attributes: { 'bank.stream_id': streams, 'bank.events': events },
    });
    const traceparent = traceparentOf(span);
    const started = process.hrtime.bigint();
    const observe = (outcome: 'ok' | 'conflict' | 'error') =>
      this.options.metrics.appendDuration.observe(
        { outcome },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    try {
      const result = await unavailableAsAppError(() => append(traceparent));
      observe('ok');
      span?.end();
      return result;
    } catch (error) {
      const conflict = isConflict(error);
      observe(conflict ? 'conflict' : 'error');
      span?.setAttribute('bank.outcome', conflict ? 'conflict' : 'error');
      if (!conflict) failSpan(span, error);
      span?.end();
      throw error;
    }
  }

  /**
   * After a concurrency conflict: gives up with CONCURRENCY_CONFLICT once the retries are spent,
   * else waits a jittered backoff (never past the deadline) before the next attempt.
   */
  private async backOff(attempt: number, context: CommandContext, streams: string): Promise<void> {
    if (attempt >= this.options.maxRetries) {
      context.logger.warn(
        { streams, attempts: attempt + 1 },
        'giving up after concurrency conflicts',
      );
      throw new AppError(
        'conflict',
        'CONCURRENCY_CONFLICT',
        'the stream kept changing concurrently; send the command again',
      );
    }
    this.options.metrics.concurrencyRetries.inc({ command: context.command });
    const pause = backoffMs(attempt, this.random);
    if (remainingMs(context.deadline) <= pause) throw deadlineExceeded();
    await sleep(pause);
  }

  private async attempt<S, E extends BankEvent>(
    streamId: string,
    kind: StreamKind<S, E>,
    decide: (state: S) => Decision<E>,
    context: CommandContext,
    { guard }: HandleOptions<S>,
  ): Promise<Outcome<S>> {
    // The first look trusts the cached stream and skips the read: an append decided on it is
    // checked by the store's expected revision anyway (a conflict reads the tail and decides
    // again). Anything that appends nothing (a refusal, a guard's error, a no-op) is only
    // answered from a stream read just now, so no instance refuses on a stale view.
    let trustCache = true;
    for (let attempt = 0; ;) {
      assertBeforeDeadline(context.deadline);
      const loaded = await unavailableAsAppError(() =>
        this.cache.load(streamId, kind, context.commandId, { trustCache }),
      );
      const recheck = !loaded.verified;
      trustCache = false;
      // A guarded stream the cache does not hold is one that must exist: read it before guarding
      // (the guard would refuse the empty answer, and the refusal would be read again anyway).
      if (recheck && guard && loaded.revision === undefined) continue;
      try {
        guard?.(loaded.state);
      } catch (error) {
        if (recheck) continue;
        throw error;
      }
      if (loaded.earlier) return replayOf(loaded.earlier, context);
      const decision = decide(loaded.state);
      if (recheck && (!decision.ok || decision.events.length === 0)) continue;
      if (!decision.ok) return { ok: false, rejection: decision.rejection };
      // Accepted with nothing to do (a transfer leg already applied): the stream as it is.
      if (decision.events.length === 0) return unchanged(loaded);
      try {
        return await this.appendDecided(streamId, kind, loaded, decision.events, context);
      } catch (error) {
        if (!isConflict(error)) throw error;
        await this.backOff(attempt, context, streamId);
        attempt += 1;
      }
    }
  }

  /** Appends one stream's decided events at the revision they were decided on, and caches them. */
  private async appendDecided<S, E extends BankEvent>(
    streamId: string,
    kind: StreamKind<S, E>,
    loaded: LoadedStream<S>,
    events: readonly E[],
    context: CommandContext,
  ): Promise<Accepted<S>> {
    let toAppend: EventToAppend[] = [];
    const appended = await this.observedAppend(streamId, events.length, (traceparent) => {
      toAppend = events.map((event, index) =>
        toStored(event, streamId, index, context, traceparent),
      );
      return this.options.store.append(
        streamId,
        toAppend,
        loaded.revision ?? 'no_stream',
        outcomeOf(context, (commandId) => commandId === context.commandId),
      );
    });
    for (const event of events) this.options.metrics.eventsAppended.inc({ type: event.type });
    let state = loaded.state;
    for (const event of events) state = kind.evolve(state, event);
    const lastEventId = toAppend.at(-1)?.eventId;
    if (lastEventId !== undefined) {
      this.cache.appended(streamId, state, context.commandId, {
        revision: appended.nextExpectedRevision,
        position: appended.position,
        eventId: lastEventId,
        created: loaded.revision === undefined,
      });
    }
    return {
      ok: true,
      state,
      revision: appended.nextExpectedRevision,
      position: appended.position,
      replayed: false,
      lastEventId,
      events,
    };
  }
}

/**
 * The client command an append records as accepted: the context's, when the append carries that
 * command's events (a process-manager step's append carries its own step's).
 */
function outcomeOf(
  context: CommandContext,
  appendsFor: (commandId: string) => boolean,
): AppendOptions {
  const { outcome } = context;
  return outcome && appendsFor(outcome.commandId) ? { outcome } : {};
}

/** A conflict the command answers by reading again and deciding again. */
function isConflict(error: unknown): error is ConcurrencyError | DuplicateEventError {
  return error instanceof ConcurrencyError || error instanceof DuplicateEventError;
}

/**
 * The first result of a command id seen on the stream before; another actor's id is refused
 * (handing one customer another's outcome, or giving one id two effects, are both wrong).
 */
function replayOf<S>(earlier: EarlierResult<S>, context: CommandContext): Accepted<S> {
  const { state, revision, position, eventId, actorId, events } = earlier;
  if (context.fromClient && actorId !== undefined && actorId !== context.actor.id)
    throw commandIdReused();
  return { ok: true, state, revision, position, replayed: true, lastEventId: eventId, events };
}

/** Accepted with nothing appended: answered with the stream as it is. */
function unchanged<S>(loaded: LoadedStream<S>): Accepted<S> {
  return {
    ok: true,
    state: loaded.state,
    revision: loaded.revision ?? -1n,
    position: loaded.position,
    replayed: false,
    lastEventId: loaded.lastEventId,
    events: [],
  };
}

/** A planned write's events as stored: ids derived per command, numbered per command. */
function storedEventsOf(
  write: PlannedWrite,
  context: CommandContext,
  traceparent: string | undefined,
): EventToAppend[] {
  const indexes = new Map<string, number>();
  return write.events.map(({ event, commandId, causationId }) => {
    const index = indexes.get(commandId) ?? 0;
    indexes.set(commandId, index + 1);
    return toStored(
      event,
      write.streamId,
      index,
      { ...context, commandId, causationId },
      traceparent,
    );
  });
}

/** The id of a planned write's last event (event ids are derived, see toStored). */
function eventIdOfLast(write: PlannedWrite): string {
  const last = write.events.at(-1);
  if (!last) throw new Error(`nothing to append to ${write.streamId}`);
  const index = write.events.filter((e) => e.commandId === last.commandId).length - 1;
  return eventIdFor(last.commandId, write.streamId, index);
}

function toStored(
  event: BankEvent,
  streamId: string,
  index: number,
  context: CommandContext,
  traceparent: string | undefined,
): EventToAppend {
  const eventId = eventIdFor(context.commandId, streamId, index);
  const metadata: EventMetadata = {
    eventId,
    commandId: context.commandId,
    correlationId: context.correlationId,
    causationId: context.causationId,
    actor: { id: context.actor.id, roles: [...context.actor.roles] },
    occurredAt: context.occurredAt,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    ...(traceparent === undefined ? {} : { traceparent }),
  };
  return { eventId, type: event.type, data: encodeEventData(event), metadata: { ...metadata } };
}

/**
 * Another actor's command id: answering with its result would hand one customer another's
 * outcome, and running the command would give one id two effects.
 */
export const commandIdReused = (): AppError =>
  new AppError(
    'business',
    'COMMAND_ID_REUSED',
    'this command id was already used by another actor; send the command with a new id',
  );

/** The store being down is the caller's UNAVAILABLE (retry later), never an INTERNAL. */
export async function unavailableAsAppError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof EventStoreUnavailableError) {
      throw new AppError('unavailable', 'UNAVAILABLE', 'the event store is unavailable', {
        retryAfterMs: 1000,
      });
    }
    throw error;
  }
}
