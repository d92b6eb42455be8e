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
  type EventStore,
  type EventToAppend,
} from '@bank/event-store';
import { AppError, failSpan, SpanKind, startSpan, traceparentOf } from '@bank/platform';
import type { CommandMetrics } from '../metrics.js';
import type { Aggregate } from './aggregate.js';
import { backoffMs, sleep } from './backoff.js';
import type { CommandContext } from './command-context.js';
import { assertBeforeDeadline, deadlineExceeded, remainingMs } from './deadline.js';
import { KeyedMutex } from './keyed-mutex.js';
import { eventIdFor } from './name-uuid.js';
import { StreamCache } from './stream-cache.js';
import type { LoadedStream } from './stream-loader.js';

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

export interface CommandHandlerOptions {
  readonly store: EventStore;
  readonly metrics: CommandMetrics;
  /** Reloads after a concurrency conflict before answering ABORTED. */
  readonly maxRetries: number;
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
    this.cache = new StreamCache(options.store);
  }

  /**
   * The current state of a stream, read in turn with the commands on it. With `cachedIsEnough`,
   * a stream this process has cached is answered from memory: for facts that never change once
   * seen (an account's owner and currency) or decisions that an append will check anyway. A
   * stream not seen yet, or seen as not existing, is always read.
   */
  async read<S, E extends BankEvent>(
    streamId: string,
    aggregate: Aggregate<S, E>,
    options: { readonly cachedIsEnough?: boolean } = {},
  ): Promise<LoadedStream<S>> {
    return await this.mutex.run(streamId, () =>
      unavailableAsAppError(async () => {
        if (options.cachedIsEnough) {
          const cached = await this.cache.load(streamId, aggregate, undefined, {
            trustCache: true,
          });
          if (cached.revision !== undefined) return cached;
        }
        return await this.cache.load(streamId, aggregate);
      }),
    );
  }

  async handle<S, E extends BankEvent>(
    streamId: string,
    aggregate: Aggregate<S, E>,
    decide: (state: S) => Decision<E>,
    context: CommandContext,
    handleOptions: HandleOptions<S> = {},
  ): Promise<Outcome<S>> {
    assertBeforeDeadline(context.deadline);
    return await this.mutex.run(streamId, () =>
      this.attempt(streamId, aggregate, decide, context, handleOptions),
    );
  }

  private async attempt<S, E extends BankEvent>(
    streamId: string,
    aggregate: Aggregate<S, E>,
    decide: (state: S) => Decision<E>,
    context: CommandContext,
    { guard }: HandleOptions<S>,
  ): Promise<Outcome<S>> {
    const { store, metrics, maxRetries } = this.options;
    // The first look trusts the cached stream and skips the read: an append decided on it is
    // checked by the store's expected revision anyway (a conflict reads the tail and decides
    // again). Anything that appends nothing (a refusal, a guard's error, a no-op) is only
    // answered from a stream read just now, so no instance refuses on a stale view.
    let trustCache = true;
    for (let attempt = 0; ;) {
      assertBeforeDeadline(context.deadline);
      const loaded = await unavailableAsAppError(() =>
        this.cache.load(streamId, aggregate, context.commandId, { trustCache }),
      );
      const recheck = !loaded.verified;
      trustCache = false;
      try {
        guard?.(loaded.state);
      } catch (error) {
        if (recheck) continue;
        throw error;
      }
      if (loaded.earlier) {
        const { state, revision, position, eventId, actorId } = loaded.earlier;
        if (context.fromClient && actorId !== undefined && actorId !== context.actor.id)
          throw commandIdReused();
        return { ok: true, state, revision, position, replayed: true, lastEventId: eventId };
      }
      const decision = decide(loaded.state);
      if (recheck && (!decision.ok || decision.events.length === 0)) continue;
      if (!decision.ok) return { ok: false, rejection: decision.rejection };
      if (decision.events.length === 0) {
        // Accepted with nothing to do (a transfer leg already applied): answer with the stream as is.
        return {
          ok: true,
          state: loaded.state,
          revision: loaded.revision ?? -1n,
          position: loaded.position,
          replayed: false,
          lastEventId: loaded.lastEventId,
        };
      }
      // The append's span is the parent the projector's spans hang off: its traceparent is
      // stored with the events and travels on through Kafka.
      const span = startSpan('event-store append', {
        kind: SpanKind.CLIENT,
        attributes: { 'bank.stream_id': streamId, 'bank.events': decision.events.length },
      });
      const traceparent = traceparentOf(span);
      const toAppend = decision.events.map((event, index) =>
        toStored(event, streamId, index, context, traceparent),
      );
      const appendStarted = process.hrtime.bigint();
      const observeAppend = (outcome: 'ok' | 'conflict' | 'error') =>
        metrics.appendDuration.observe(
          { outcome },
          Number(process.hrtime.bigint() - appendStarted) / 1e9,
        );
      try {
        const appended = await unavailableAsAppError(() =>
          store.append(streamId, toAppend, loaded.revision ?? 'no_stream'),
        ).then(
          (result) => {
            observeAppend('ok');
            span?.end();
            return result;
          },
          (error: unknown) => {
            const conflict =
              error instanceof ConcurrencyError || error instanceof DuplicateEventError;
            observeAppend(conflict ? 'conflict' : 'error');
            span?.setAttribute('bank.outcome', conflict ? 'conflict' : 'error');
            if (!conflict) failSpan(span, error);
            span?.end();
            throw error;
          },
        );
        for (const event of decision.events) metrics.eventsAppended.inc({ type: event.type });
        let state = loaded.state;
        for (const event of decision.events) state = aggregate.evolve(state, event);
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
        };
      } catch (error) {
        if (!(error instanceof ConcurrencyError || error instanceof DuplicateEventError))
          throw error;
        if (attempt >= maxRetries) {
          context.logger.warn(
            { streamId, attempts: attempt + 1 },
            'giving up after concurrency conflicts',
          );
          throw new AppError(
            'conflict',
            'CONCURRENCY_CONFLICT',
            'the stream kept changing concurrently; send the command again',
          );
        }
        metrics.concurrencyRetries.inc({ command: context.command });
        const pause = backoffMs(attempt, this.random);
        attempt += 1;
        if (remainingMs(context.deadline) <= pause) throw deadlineExceeded();
        await sleep(pause);
      }
    }
  }
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
const commandIdReused = (): AppError =>
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
