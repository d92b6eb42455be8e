import {
  accountStream,
  decideAtomicBatch,
  MAX_BATCH_LEGS,
  transferStream,
  type AccountState,
  type RequestTransferCommand,
  type TransferState,
} from '@bank/domain';
import { AppError, rejectionError, validationError, type UnaryHandler } from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import { accountAggregate } from '../accounts/account-aggregate.js';
import {
  accountGuard,
  accountNotFound,
  requireRole,
  STAFF_OR_OWNER,
} from '../accounts/authorization.js';
import type { Clock } from '../infrastructure/command-context.js';
import {
  commandIdReused,
  planWrite,
  type CommandHandler,
  type PlannedEvent,
  type PlannedWrite,
  type StreamsDecision,
} from '../infrastructure/command-handler.js';
import { batchLegIdFor, entityIdFor } from '../infrastructure/name-uuid.js';
import type { LoadedStream } from '../infrastructure/stream-loader.js';
import { commandContextOf } from '../requests/command-request.js';
import { optionalText, requireAmount, requireUuid } from '../requests/fields.js';
import { settlementWrites, settleUnlessRecorded } from './atomic-transfer.js';
import { transferAggregate } from './transfer-aggregate.js';

type BatchReply = commandTypes.TransferBatchReply;

/**
 * RequestTransferBatch, mode `atomic`: every leg is a transfer (ids derived from the batch id and
 * the leg's place), decided in order on the account states the earlier legs left
 * (decideAtomicBatch), and the whole batch is ONE atomic multi-stream append: every account's legs
 * and every leg's transfer record, each stream at the revision it was decided on. A refused leg
 * refuses the batch (its index in the error's field) and nothing is appended. A store without the
 * multi-stream append cannot offer all-or-nothing, so the batch is refused there before anything
 * is read. A repeated command id finds its first leg's TransferRequested and answers from the legs.
 */
export function requestTransferBatch(deps: {
  handler: CommandHandler;
  clock: Clock;
}): UnaryHandler<commandTypes.RequestTransferBatchRequest__Output, BatchReply> {
  return async (request, call) => {
    const context = commandContextOf('RequestTransferBatch', request.context, call, deps.clock);
    if (request.mode !== 'atomic') throw validationError('mode must be "atomic"', 'mode');
    const count = request.transfers.length;
    if (count < 1 || count > MAX_BATCH_LEGS)
      throw validationError(`a batch has 1 to ${MAX_BATCH_LEGS} transfers`, 'transfers');
    requireRole(context.actor, STAFF_OR_OWNER);
    if (!deps.handler.supportsMultiStreamAppend) {
      throw new AppError(
        'business',
        'MULTI_STREAM_APPEND_UNSUPPORTED',
        'this event store cannot append to several streams atomically, so an atomic batch ' +
          'cannot be all-or-nothing here; send the transfers one by one',
      );
    }
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
        const loaded = await deps.handler.read(accountStream(accountId), accountAggregate, {
          cachedIsEnough: true,
        });
        known.set(accountId, loaded.state);
      }),
    );
    const guard = accountGuard(context.actor, STAFF_OR_OWNER);
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
          batch: { batchId, index: leg.index, mode: 'atomic' },
          fromCurrency: source.currency,
          toCurrency: destination.currency,
        },
      };
    });

    const transferStreams = legs.map((leg) => transferStream(leg.data.transferId));
    const accountStreams = accountIds.map((accountId) => accountStream(accountId));
    const reply = (position: bigint, replayed: boolean): BatchReply => ({
      batchId,
      mode: 'atomic',
      status: 'completed',
      transfers: legs.map((leg, index) => ({
        index,
        transferId: leg.data.transferId,
        status: 'completed',
        code: '',
      })),
      position: position.toString(),
      replayed,
    });
    return await deps.handler.handleAcross(
      [...transferStreams, ...accountStreams],
      context,
      async (view): Promise<StreamsDecision<BatchReply>> => {
        const first = transferStreams[0];
        if (first === undefined) throw new Error('a batch without legs');
        const transfers = new Map<string, LoadedStream<TransferState> & { verified: boolean }>();
        const firstLoaded = await view.load(first, transferAggregate, context.commandId);
        if (firstLoaded.earlier) {
          const { actorId, position } = firstLoaded.earlier;
          if (context.fromClient && actorId !== undefined && actorId !== context.actor.id)
            throw commandIdReused();
          return { kind: 'answer', result: reply(position, true) };
        }
        transfers.set(first, firstLoaded);
        const accounts = new Map<string, LoadedStream<AccountState> & { verified: boolean }>();
        await Promise.all([
          ...transferStreams.slice(1).map(async (streamId) => {
            transfers.set(streamId, await view.load(streamId, transferAggregate));
          }),
          ...accountIds.map(async (accountId) => {
            accounts.set(accountId, await view.load(accountStream(accountId), accountAggregate));
          }),
        ]);

        const decided = settleUnlessRecorded(
          () =>
            decideAtomicBatch(
              legs,
              new Map([...accounts].map(([id, loaded]) => [id, loaded.state])),
              (transferId) =>
                transfers.get(transferStream(transferId))?.state ?? { status: 'none' as const },
            ),
          [...transfers.values(), ...accounts.values()],
        );
        if (decided === 'recheck') return { kind: 'recheck' };
        if (!decided.ok) {
          // A refusal is only answered from streams read just now.
          const verified = [...transfers.values(), ...accounts.values()].every((s) => s.verified);
          if (!verified) return { kind: 'recheck' };
          const { index, rejection } = decided;
          const refused = rejectionError(rejection.code, `transfer ${index}: ${rejection.message}`);
          throw new AppError(refused.category, refused.code, refused.message, {
            field: `transfers[${index}]`,
          });
        }

        // Each account's legs in batch order, folded one after the other.
        const accountEvents = new Map<string, PlannedEvent[]>();
        const records: PlannedWrite[] = [];
        const current = new Map<string, LoadedStream<AccountState>>(accounts);
        for (const settled of decided.legs) {
          const { transferId, fromAccountId, toAccountId } = settled.command.data;
          const at = (accountId: string): LoadedStream<AccountState> => {
            const loaded = current.get(accountId);
            if (!loaded) throw new Error(`account ${accountId} is not part of the batch`);
            return loaded;
          };
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
            const after = planWrite(write.streamId, accountAggregate, before, write.events);
            current.set(accountId, { ...before, state: after.stateAfter });
          }
        }
        const writes: PlannedWrite[] = [
          ...[...accountEvents].map(([accountId, events]) => {
            const loaded = accounts.get(accountId);
            if (!loaded) throw new Error(`account ${accountId} is not part of the batch`);
            return planWrite(accountStream(accountId), accountAggregate, loaded, events);
          }),
          // The transfer records go last: the last leg's final event is the append's position.
          ...records,
        ];
        return { kind: 'append', writes, result: (position) => reply(position, false) };
      },
    );
  };
}
