import {
  accountStream,
  decideReversal,
  formatAmount,
  transferStream,
  type ActiveTransferState,
} from '@bank/domain';
import { COMMAND_ACCESS, rejectionError, type UnaryHandler } from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import { accountKind } from '../accounts/account-stream.js';
import { requireRole } from '../accounts/authorization.js';
import type { Clock } from '../infrastructure/command-context.js';
import {
  commandIdReused,
  planWrite,
  type CommandHandler,
  type StreamsDecision,
} from '../infrastructure/command-handler.js';
import { entityIdFor } from '../infrastructure/name-uuid.js';
import { commandContextOf } from '../requests/command-request.js';
import { optionalText, requireAmount, requireUuid } from '../requests/fields.js';
import { settlementWrites, settleUnlessRecorded } from './atomic-transfer.js';
import { transferKind } from './transfer-stream.js';
import { requireMultiStreamAppend } from './transfer-batch.js';

type TransferReply = commandTypes.TransferReply;

/**
 * ReverseTransfer (staff only): a new transfer, its id derived from the command id, moving money
 * back from the original's destination to its source (decideReversal), appended in ONE atomic
 * multi-stream append with TransferReversed on the original's stream, so two reversals racing
 * each other never move back more than the original moved. A refusal rests on streams read just
 * now. A repeated command id finds the reversal's TransferRequested and answers from it.
 */
export function reverseTransfer(deps: {
  handler: CommandHandler;
  clock: Clock;
}): UnaryHandler<commandTypes.ReverseTransferRequest__Output, TransferReply> {
  return async (request, call) => {
    const context = commandContextOf('ReverseTransfer', request.context, call, deps.clock);
    const transferId = requireUuid(request.transferId, 'transfer_id');
    const reference = optionalText(request.reference, 'reference', 140);
    requireRole(context.actor, COMMAND_ACCESS.ReverseTransfer);
    requireMultiStreamAppend(deps.handler, 'a reversal');
    // A transfer's accounts and currency never change once it exists.
    const known = await deps.handler.read(transferStream(transferId), transferKind, {
      cachedIsEnough: true,
    });
    if (known.state.status === 'none')
      throw rejectionError('TRANSFER_NOT_FOUND', 'transfer not found');
    const { fromAccountId, toAccountId, currency } = known.state;
    const amount =
      request.amount === '' ? undefined : requireAmount(request.amount, currency, 'amount');
    const reversalId = entityIdFor('transfer-reversal', context.commandId);
    const originalStream = transferStream(transferId);
    const reversalStream = transferStream(reversalId);
    const payerStream = accountStream(toAccountId);
    const payeeStream = accountStream(fromAccountId);
    const reply = (state: ActiveTransferState, position: bigint, replayed: boolean) => ({
      transferId: reversalId,
      status: state.status,
      failureReason: state.failureReason ?? '',
      position: position.toString(),
      replayed,
      amount: formatAmount(state.amount, state.currency),
      currency: state.currency,
      reversalOf: transferId,
      dryRun: false,
      fromAccountId: state.fromAccountId,
      toAccountId: state.toAccountId,
    });
    return await deps.handler.handleAcross(
      [originalStream, reversalStream, payerStream, payeeStream],
      context,
      async (view): Promise<StreamsDecision<TransferReply>> => {
        const reversal = await view.load(reversalStream, transferKind, context.commandId);
        if (reversal.earlier) {
          const { actorId, position } = reversal.earlier;
          if (context.fromClient && actorId !== undefined && actorId !== context.actor.id)
            throw commandIdReused();
          if (reversal.state.status === 'none') throw new Error(`reversal ${reversalId} vanished`);
          return { kind: 'answer', result: reply(reversal.state, position, true) };
        }
        const original = await view.load(originalStream, transferKind);
        const payer = await view.load(payerStream, accountKind);
        const payee = await view.load(payeeStream, accountKind);
        const command = {
          type: 'ReverseTransfer',
          data: { transferId, reversalId, reference, ...(amount === undefined ? {} : { amount }) },
        } as const;
        const decided = settleUnlessRecorded(
          () => decideReversal(command, original.state, reversal.state, payer.state, payee.state),
          [original, reversal, payer, payee],
        );
        if (decided === 'recheck') return { kind: 'recheck' };
        if (!decided.ok) {
          // Answered only from streams read just now: which rule refuses first depends on all of
          // them (a cached original that is no longer current made a spent payer the reason).
          if (![original, reversal, payer, payee].every((s) => s.verified))
            return { kind: 'recheck' };
          throw rejectionError(decided.rejection.code, decided.rejection.message);
        }
        const { record, accounts } = settlementWrites(
          context,
          { transfer: reversal, source: payer, destination: payee },
          decided.reversal,
          decided.reversal.command.data,
        );
        const reversed = planWrite(
          originalStream,
          transferKind,
          original,
          decided.original.map((event) => ({
            event,
            commandId: context.commandId,
            causationId: context.causationId,
          })),
        );
        const state = record.stateAfter;
        if (state.status === 'none') throw new Error(`reversal ${reversalId} vanished`);
        return {
          kind: 'append',
          // The reversal's own stream goes last: its final event is the append's position.
          writes: [
            reversed,
            ...accounts.map(({ streamId, loaded, events }) =>
              planWrite(streamId, accountKind, loaded, events),
            ),
            record,
          ],
          result: (position) => reply(state, position, false),
        };
      },
    );
  };
}
