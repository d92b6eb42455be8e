import {
  OutcomeRecordedError,
  type CommandOutcome,
  type CommandOutcomeKey,
  type EventStore,
  type JsonObject,
} from '@bank/event-store';
import {
  AppError,
  type ErrorCategory,
  type ErrorCode,
  type Logger,
  type UnaryHandler,
} from '@bank/platform';
import type { commandTypes } from '@bank/proto';

/** Refusals that depend on the state the command met, so a retry must get the first one again. */
const RECORDED_CATEGORIES: ReadonlySet<ErrorCategory> = new Set(['business', 'not_found']);

/** How often a command is run again after another attempt of it recorded its acceptance. */
const MAX_RERUNS = 3;

interface RecordedRefusal extends JsonObject {
  readonly category: ErrorCategory;
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Makes a client command's first outcome its only one. A command that carries its request's
 * hash (the gateway sends the hash of method, path and body) is answered:
 * - the first time: as it is decided; an acceptance is recorded in the append of its events, a
 *   refusal on its own (`recordRefusal`);
 * - again with the same hash: with the first outcome, marked replayed (an acceptance is found
 *   on its streams; a refusal comes from its record, even if the state would now allow it);
 * - again with another hash: IDEMPOTENCY_KEY_REUSED;
 * - while the first still runs in this process: IDEMPOTENCY_IN_FLIGHT (409, retry after 1 s).
 *   In another process the two race to one outcome, which both answer.
 */
export class FirstOutcomes {
  /** Client commands running in this process: command id → request hash. */
  private readonly running = new Map<string, string>();

  constructor(private readonly store: EventStore) {}

  /** The RPC `handler` with its commands' first outcomes kept (see the class). */
  of<
    Req extends { readonly context: commandTypes.CommandContext__Output | null },
    Res extends { readonly replayed?: boolean },
  >(handler: UnaryHandler<Req, Res>): UnaryHandler<Req, Res> {
    return async (request, call) => {
      const commandId = request.context?.commandId ?? '';
      const requestHash = request.context?.requestHash ?? '';
      if (commandId === '' || requestHash === '') return await handler(request, call);
      const key = { commandId, requestHash };
      const first = this.running.get(commandId);
      if (first !== undefined) throw first === requestHash ? inFlight() : keyReused();
      this.running.set(commandId, requestHash);
      try {
        return await this.run(key, () => handler(request, call));
      } finally {
        this.running.delete(commandId);
      }
    };
  }

  private async run<Res extends { readonly replayed?: boolean }>(
    key: CommandOutcomeKey,
    work: () => Promise<Res>,
  ): Promise<Res> {
    for (let rerun = 0; ; rerun++) {
      let result: Res;
      try {
        result = await work();
      } catch (error) {
        // Another attempt of the command recorded its outcome first: answer with it, or, when it
        // was an acceptance, run again to find it on the streams.
        const first = await this.firstOutcomeAfter(error, key);
        if (first.requestHash !== key.requestHash) throw keyReused();
        if (first.refusal) throw replayedRefusal(first.refusal);
        if (rerun >= MAX_RERUNS) throw error;
        continue;
      }
      return result.replayed ? await this.asFirstAnswered(key, result) : result;
    }
  }

  /** The first outcome an error reveals; rethrows an error that is not about outcomes. */
  private async firstOutcomeAfter(error: unknown, key: CommandOutcomeKey): Promise<CommandOutcome> {
    if (error instanceof OutcomeRecordedError) {
      const first = await this.store.readOutcome(key.commandId);
      if (!first) throw error;
      return first;
    }
    if (!(error instanceof AppError) || !RECORDED_CATEGORIES.has(error.category)) throw error;
    const refusal: RecordedRefusal = {
      category: error.category,
      code: error.code,
      message: error.message,
    };
    const { first, recorded } = await this.store.recordRefusal({ ...key, refusal });
    if (recorded) throw error;
    return first;
  }

  /**
   * A replay answers only the request that was first sent under its command id, with the
   * consistency token the first answer gave (the streams may have grown since).
   */
  private async asFirstAnswered<Res extends { readonly replayed?: boolean }>(
    key: CommandOutcomeKey,
    result: Res,
  ): Promise<Res> {
    const first = await this.store.readOutcome(key.commandId);
    // No record: accepted before outcomes were recorded, or after the retention; the id decides.
    if (!first) return result;
    if (first.requestHash !== key.requestHash) throw keyReused();
    if (first.position === undefined || !('position' in result)) return result;
    return { ...result, position: first.position.toString() };
  }
}

function replayedRefusal(refusal: JsonObject): AppError {
  const { category, code, message } = refusal as Partial<RecordedRefusal>;
  if (category === undefined || code === undefined || message === undefined)
    throw new Error(`a recorded refusal without its category, code or message`);
  return new AppError(category, code, message, { replayed: true });
}

const keyReused = (): AppError =>
  new AppError(
    'business',
    'IDEMPOTENCY_KEY_REUSED',
    'this Idempotency-Key was used for a different request; use a new key',
  );

const inFlight = (): AppError =>
  new AppError(
    'conflict',
    'IDEMPOTENCY_IN_FLIGHT',
    'the first request with this Idempotency-Key is still running',
    { retryAfterMs: 1000 },
  );

/**
 * Forgets first outcomes older than the retention, every `everyMs` (and once at start). After
 * that a repeated command id is still answered once (its events carry it); only a refusal or
 * another request under the same id is no longer told apart.
 */
export function purgeOutcomesPeriodically(options: {
  readonly store: EventStore;
  readonly retentionMs: number;
  readonly everyMs: number;
  readonly logger: Logger;
}): { stop(): void } {
  const purge = () => {
    options.store.purgeOutcomes(new Date(Date.now() - options.retentionMs)).then(
      (purged) => {
        if (purged > 0) options.logger.info({ purged }, 'purged expired command outcomes');
      },
      (error: unknown) => options.logger.warn({ err: error }, 'command outcome purge failed'),
    );
  };
  purge();
  const timer = setInterval(purge, options.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
