import {
  accountStream,
  batchStatusOf,
  decideAtomicBatch,
  decideIndependentBatch,
  MAX_BATCH_LEGS,
  transferStream,
  type AccountState,
  type BatchMode,
  type BatchStatus,
  type IndependentBatchDecision,
  type RequestTransferCommand,
  type SettledLeg,
  type TransferEvent,
  type TransferState,
} from '@bank/domain';
import {
  AppError,
  COMMAND_ACCESS,
  rejectionError,
  validationError,
  type UnaryHandler,
} from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import { accountKind } from '../accounts/account-stream.js';
import { accountGuard, accountNotFound, requireRole } from '../accounts/authorization.js';
import type { Clock, CommandContext } from '../infrastructure/command-context.js';
import {
  commandIdReused,
  planWrite,
  type CommandHandler,
  type PlannedEvent,
  type PlannedWrite,
  type StreamsDecision,
  type StreamsView,
} from '../infrastructure/command-handler.js';
import { batchLegIdFor, entityIdFor } from '../infrastructure/name-uuid.js';
import type { LoadedStream } from '../infrastructure/stream-loader.js';
import { commandContextOf } from '../requests/command-request.js';
import { optionalText, requireAmount, requireUuid } from '../requests/fields.js';
import { settlementWrites, settleUnlessRecorded } from './atomic-transfer.js';
import { transferKind } from './transfer-stream.js';

type BatchReply = commandTypes.TransferBatchReply;
type LegReply = commandTypes.TransferBatchLegReply;
type Loaded<S> = LoadedStream<S> & { readonly verified: boolean };

/**
 * RequestTransferBatch: every leg is a transfer (ids derived from the batch id and the leg's
 * place), decided in order on the account states the earlier legs left, and the whole batch is
 * ONE atomic multi-stream append: every account's legs and every leg's transfer record, each
 * stream at the revision it was decided on.
 * - mode `atomic` (decideAtomicBatch): a refused leg refuses the batch (its index in the error's
 *   field) and nothing is appended;
 * - mode `independent` (decideIndependentBatch): each leg applies or fails on its own, a failed
 *   leg recorded as a failed transfer with its reason; the batch is completed, partial or failed.
 * A store without the multi-stream append cannot offer either, so the batch is refused there
 * before anything is read. A repeated command id finds its first leg's TransferRequested and
 * answers from the legs' streams. A dry run decides on streams read just now and answers what
 * would happen, appending nothing.
 */
export function requestTransferBatch(deps: {
  handler: CommandHandler;
  clock: Clock;
}): UnaryHandler<commandTypes.RequestTransferBatchRequest__Output, BatchReply> {
  return async (request, call) => {
    const context = commandContextOf('RequestTransferBatch', request.context, call, deps.clock);
    const mode = batchModeOf(request.mode);
    const count = request.transfers.length;
    if (count < 1 || count > MAX_BATCH_LEGS)
      throw validationError(`a batch has 1 to ${MAX_BATCH_LEGS} transfers`, 'transfers');
    requireRole(context.actor, COMMAND_ACCESS.RequestTransferBatch);
    requireMultiStreamAppend(deps.handler, 'a batch');
    const batchId = entityIdFor('transfer-batch', context.commandId);
    const parsed = request.transfers.map((leg, index) => ({
      index,
      fromAccountId: requireUuid(leg.fromAccountId, `transfers[${index}].from_account_id`),
      toAccountId: requireUuid(leg.toAccountId, `transfers[${index}].to_account_id`),
      reference: optionalText(leg.reference, `transfers[${index}].reference`, 140),
      amount: leg.amount,
    }));

    // Owner and currency never change once an account exists, so cached accounts will do.
    const accountIds = [...new Set(parsed.flatMap((l) => [l.fromAccountId, l.toAccountId]))];
    const known = new Map<string, AccountState>();
    await Promise.all(
      accountIds.map(async (accountId) => {
        const loaded = await deps.handler.read(accountStream(accountId), accountKind, {
          cachedIsEnough: true,
        });
        known.set(accountId, loaded.state);
      }),
    );
    const guard = accountGuard(context.actor, COMMAND_ACCESS.RequestTransferBatch);
    const legs: RequestTransferCommand[] = parsed.map((leg) => {
      const source = known.get(leg.fromAccountId) ?? { status: 'none' };
      const destination = known.get(leg.toAccountId) ?? { status: 'none' };
      guard(source);
      if (source.status === 'none' || destination.status === 'none') throw accountNotFound();
      const field = `transfers[${leg.index}].amount`;
      if (leg.amount === '') throw validationError('amount is required', field);
      return {
        type: 'RequestTransfer',
        data: {
          transferId: batchLegIdFor(batchId, leg.index),
          fromAccountId: leg.fromAccountId,
          toAccountId: leg.toAccountId,
          amount: requireAmount(leg.amount, source.currency, field),
          reference: leg.reference,
          batch: { batchId, index: leg.index, mode },
          fromCurrency: source.currency,
          toCurrency: destination.currency,
        },
      };
    });

    const transferStreams = legs.map((leg) => transferStream(leg.data.transferId));
    const accountStreams = accountIds.map((accountId) => accountStream(accountId));
    const reply = (
      status: string,
      outcomes: readonly LegReply[],
      position: bigint | undefined,
      replayed: boolean,
    ): BatchReply => ({
      batchId,
      mode,
      status,
      transfers: [...outcomes],
      position: position?.toString() ?? '',
      replayed,
      dryRun: request.dryRun,
    });
    return await deps.handler.handleAcross(
      [...transferStreams, ...accountStreams],
      context,
      async (view): Promise<StreamsDecision<BatchReply>> => {
        const first = transferStreams[0];
        if (first === undefined) throw new Error('a batch without legs');
        const transfers = new Map<string, Loaded<TransferState>>();
        const firstLoaded = await view.load(first, transferKind, context.commandId);
        if (firstLoaded.earlier) {
          const { actorId, position } = firstLoaded.earlier;
          if (context.fromClient && actorId !== undefined && actorId !== context.actor.id)
            throw commandIdReused();
          return { kind: 'answer', result: await replayed(view, transferStreams, reply, position) };
        }
        transfers.set(first, firstLoaded);
        const accounts = new Map<string, Loaded<AccountState>>();
        await Promise.all([
          ...transferStreams.slice(1).map(async (streamId) => {
            transfers.set(streamId, await view.load(streamId, transferKind));
          }),
          ...accountIds.map(async (accountId) => {
            accounts.set(accountId, await view.load(accountStream(accountId), accountKind));
          }),
        ]);
        const loaded = [...transfers.values(), ...accounts.values()];
        const verified = loaded.every((stream) => stream.verified);
        const states = new Map([...accounts].map(([id, stream]) => [id, stream.state]));
        const transferState = (transferId: string): TransferState =>
          transfers.get(transferStream(transferId))?.state ?? { status: 'none' as const };

        const decided = settleUnlessRecorded(
          () =>
            mode === 'atomic'
              ? atomicOutcome(decideAtomicBatch(legs, states, transferState))
              : independentOutcome(decideIndependentBatch(legs, states, transferState)),
          loaded,
        );
        // A refusal, and a dry run's answer, only from streams read just now.
        if (decided === 'recheck' || (!verified && (decided.refused || request.dryRun)))
          return { kind: 'recheck' };
        if (request.dryRun)
          return {
            kind: 'answer',
            result: reply(decided.status, decided.outcomes, undefined, false),
          };
        const writes = batchWrites(context, decided.recorded, transfers, accounts);
        return {
          kind: 'append',
          writes,
          result: (position) => reply(decided.status, decided.outcomes, position, false),
        };
      },
    );
  };
}

function batchModeOf(mode: string): BatchMode {
  if (mode === 'atomic' || mode === 'independent') return mode;
  throw validationError('mode must be "atomic" or "independent"', 'mode');
}

/** What a batch decided: each leg's outcome, and what to record (nothing when it is refused). */
interface BatchOutcome {
  readonly status: BatchStatus;
  readonly outcomes: readonly LegReply[];
  readonly recorded: readonly SettledLeg[];
  /** Whether the outcome rests on a refusal: answered only from streams read just now. */
  readonly refused: boolean;
}

function atomicOutcome(decided: ReturnType<typeof decideAtomicBatch>): BatchOutcome {
  if (!decided.ok) {
    const { index, rejection } = decided;
    const refused = rejectionError(rejection.code, `transfer ${index}: ${rejection.message}`);
    throw new AppError(refused.category, refused.code, refused.message, {
      field: `transfers[${index}]`,
    });
  }
  return {
    status: 'completed',
    outcomes: decided.legs.map((leg) => legReply(leg.command, 'completed', '')),
    recorded: decided.legs,
    refused: false,
  };
}

function independentOutcome(decided: IndependentBatchDecision): BatchOutcome {
  const recorded = decided.legs.map((leg): SettledLeg => {
    if (leg.ok) return leg;
    // A refused leg is recorded as a failed transfer that touches no account.
    const { command, requested, progress } = leg;
    return { ok: true, completes: false, command, requested, progress, debit: [], credit: [] };
  });
  return {
    status: decided.status,
    outcomes: recorded.map((leg) =>
      leg.completes
        ? legReply(leg.command, 'completed', '')
        : legReply(leg.command, 'failed', failureReasonOf(leg.progress)),
    ),
    recorded,
    refused: decided.legs.some((leg) => !leg.ok),
  };
}

function legReply(command: RequestTransferCommand, status: string, code: string): LegReply {
  return {
    index: command.data.batch?.index ?? 0,
    transferId: command.data.transferId,
    status,
    code,
  };
}

function failureReasonOf(progress: readonly TransferEvent[]): string {
  const failed = progress.find((event) => event.type === 'TransferFailed');
  return failed?.type === 'TransferFailed' ? failed.data.reason : '';
}

/** A repeated batch: each leg's outcome as its transfer stream shows it. */
async function replayed(
  view: StreamsView,
  transferStreams: readonly string[],
  reply: (
    status: string,
    outcomes: readonly LegReply[],
    position: bigint,
    replayed: boolean,
  ) => BatchReply,
  position: bigint,
): Promise<BatchReply> {
  const states = await Promise.all(
    transferStreams.map(async (streamId) => (await view.load(streamId, transferKind)).state),
  );
  const outcomes = states.map((state, index): LegReply => {
    if (state.status === 'none') throw new Error(`batch leg ${index} is not recorded`);
    const failed = state.status === 'failed';
    return {
      index,
      transferId: state.transferId,
      status: state.status,
      code: failed ? (state.failureReason ?? '') : '',
    };
  });
  const status = batchStatusOf(outcomes.map((leg) => leg.status ?? ''));
  return reply(status, outcomes, position, true);
}

/**
 * The writes of a batch: each account's legs in batch order, folded one after the other, then
 * every leg's transfer record (last: the last leg's final event is the append's position).
 */
function batchWrites(
  context: CommandContext,
  legs: readonly SettledLeg[],
  transfers: ReadonlyMap<string, LoadedStream<TransferState>>,
  accounts: ReadonlyMap<string, LoadedStream<AccountState>>,
): PlannedWrite[] {
  const accountEvents = new Map<string, PlannedEvent[]>();
  const records: PlannedWrite[] = [];
  const current = new Map<string, LoadedStream<AccountState>>(accounts);
  const at = (accountId: string): LoadedStream<AccountState> => {
    const loaded = current.get(accountId);
    if (!loaded) throw new Error(`account ${accountId} is not part of the batch`);
    return loaded;
  };
  for (const settled of legs) {
    const { transferId, fromAccountId, toAccountId } = settled.command.data;
    const loadedTransfer = transfers.get(transferStream(transferId));
    if (!loadedTransfer) throw new Error(`transfer ${transferId} is not part of the batch`);
    const { record, accounts: legWrites } = settlementWrites(
      context,
      { transfer: loadedTransfer, source: at(fromAccountId), destination: at(toAccountId) },
      settled,
      settled.command.data,
    );
    records.push(record);
    for (const write of legWrites) {
      const accountId =
        write.streamId === accountStream(fromAccountId) ? fromAccountId : toAccountId;
      const events = accountEvents.get(accountId) ?? [];
      events.push(...write.events);
      accountEvents.set(accountId, events);
      const before = at(accountId);
      const after = planWrite(write.streamId, accountKind, before, write.events);
      current.set(accountId, { ...before, state: after.stateAfter });
    }
  }
  return [
    ...[...accountEvents].map(([accountId, events]) => {
      const loaded = accounts.get(accountId);
      if (!loaded) throw new Error(`account ${accountId} is not part of the batch`);
      return planWrite(accountStream(accountId), accountKind, loaded, events);
    }),
    ...records,
  ];
}

/**
 * Refuses, before anything is read, what needs the atomic multi-stream append on a store that
 * lacks it: all-or-nothing cannot be had there.
 */
export function requireMultiStreamAppend(handler: CommandHandler, what: string): void {
  if (handler.supportsMultiStreamAppend) return;
  throw new AppError(
    'business',
    'MULTI_STREAM_APPEND_UNSUPPORTED',
    `this event store cannot append to several streams atomically, so ${what} cannot be ` +
      'all-or-nothing here; send the transfers one by one',
  );
}
