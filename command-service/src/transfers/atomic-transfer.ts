import {
  accountStream,
  debitRefusal,
  decideAccount,
  decideTransfer,
  transferStream,
  type ActiveTransferState,
  type TransferCommand,
  type TransferEvent,
} from '@bank/domain';
import { rejectionError } from '@bank/platform';
import { accountAggregate } from '../accounts/account-aggregate.js';
import type { CommandContext } from '../infrastructure/command-context.js';
import {
  commandIdReused,
  planWrite,
  type CommandHandler,
  type StreamsDecision,
} from '../infrastructure/command-handler.js';
import { eventIdFor } from '../infrastructure/name-uuid.js';
import { transferAggregate } from './transfer-aggregate.js';

type RequestTransfer = Extract<TransferCommand, { type: 'RequestTransfer' }>;

export type AtomicTransferOutcome =
  /** Appended now: the transfer is completed or failed, money moved or not, in one append. */
  | { readonly kind: 'appended'; readonly state: ActiveTransferState; readonly position: bigint }
  /** The command id recorded this transfer before: its stream answers (see requestTransfer). */
  | { readonly kind: 'replayed' };

/**
 * A transfer decided on both account states and the transfer stream, and appended to the three
 * in ONE atomic multi-stream append, so money is never in flight:
 * - the source can pay and the destination takes the credit: `TransferDebited` on the source,
 *   `TransferCredited` on the destination, `TransferRequested`, `TransferSourceDebited`,
 *   `TransferDestinationCredited` and `TransferCompleted` on the transfer stream (the timeline a
 *   process-manager drive records, here all true at once);
 * - the destination refuses the credit (frozen, closed): `TransferCreditDeclined` on the
 *   destination, `TransferRequested` + `TransferFailed` on the transfer stream, the source
 *   untouched;
 * - the source cannot pay (too little available, frozen, closed), or the transfer rules refuse it
 *   (same account, other currency): a rejection, and nothing is appended anywhere.
 * Each stream is appended at the revision the decision was made on; a conflict on any of them
 * reloads all and decides again (CommandHandler.handleAcross). A refusal is only answered from
 * streams read just now. The events are the ones the process manager writes, with the same
 * command ids per leg (`<transfer>:debit`, `<transfer>:credit`), so projections, verification and
 * a later process-manager drive of the same transfer read them alike.
 */
export async function transferAtomically(
  handler: CommandHandler,
  command: RequestTransfer,
  context: CommandContext,
): Promise<AtomicTransferOutcome> {
  const { transferId, fromAccountId, toAccountId, amount } = command.data;
  const transferStreamId = transferStream(transferId);
  const sourceStreamId = accountStream(fromAccountId);
  const destinationStreamId = accountStream(toAccountId);
  return await handler.handleAcross(
    [transferStreamId, sourceStreamId, destinationStreamId],
    context,
    async (view): Promise<StreamsDecision<AtomicTransferOutcome>> => {
      const transfer = await view.load(transferStreamId, transferAggregate, context.commandId);
      if (transfer.earlier) {
        const { actorId } = transfer.earlier;
        if (context.fromClient && actorId !== undefined && actorId !== context.actor.id)
          throw commandIdReused();
        return { kind: 'answer', result: { kind: 'replayed' } };
      }
      const requested = decideTransfer(command, transfer.state);
      if (!requested.ok) {
        if (!transfer.verified) return { kind: 'recheck' };
        throw rejectionError(requested.rejection.code, requested.rejection.message);
      }
      const source = await view.load(sourceStreamId, accountAggregate);
      const refusal = debitRefusal(source.state, amount);
      if (refusal) {
        if (!source.verified) return { kind: 'recheck' };
        throw rejectionError(refusal.code, refusal.message);
      }
      const destination = await view.load(destinationStreamId, accountAggregate);
      const leg = { transferId, amount };
      const debit = decideAccount(
        { type: 'DebitForTransfer', data: { ...leg, counterpartyAccountId: toAccountId } },
        source.state,
      );
      const credit = decideAccount(
        { type: 'CreditForTransfer', data: { ...leg, counterpartyAccountId: fromAccountId } },
        destination.state,
      );
      for (const [decision, loaded] of [
        [debit, source],
        [credit, destination],
      ] as const) {
        if (decision.ok) continue;
        if (!loaded.verified) return { kind: 'recheck' };
        throw rejectionError(decision.rejection.code, decision.rejection.message);
      }
      const debited = debit.ok ? debit.events[0] : undefined;
      const credited = credit.ok ? credit.events[0] : undefined;
      if (debited?.type !== 'TransferDebited' || credited === undefined) {
        // The legs are on the accounts already: another instance appended this transfer, and
        // this one answered its stream from an empty cache. Read just now, the transfer stream
        // shows it (a replay); a new transfer whose legs exist is never expected.
        if (!transfer.verified || !source.verified || !destination.verified)
          return { kind: 'recheck' };
        throw new Error(`transfer ${transferId}: its legs are not new to the accounts`);
      }

      const requestedEventId = eventIdFor(context.commandId, transferStreamId, 0);
      const causedBy = (commandId: string) => ({ commandId, causationId: requestedEventId });
      const completes = credited.type === 'TransferCredited';
      // The same record, under the same command id, a process-manager drive writes at its end.
      const progress: TransferEvent[] = completes
        ? [
            { type: 'TransferSourceDebited', data: { transferId } },
            { type: 'TransferDestinationCredited', data: { transferId } },
            { type: 'TransferCompleted', data: { transferId } },
          ]
        : [
            {
              type: 'TransferFailed',
              data: {
                transferId,
                reason:
                  credited.type === 'TransferCreditDeclined' ? credited.data.reason : 'refused',
              },
            },
          ];
      const progressCommandId = `${transferId}:${
        completes ? 'source-debited+destination-credited+completed' : 'failed'
      }`;
      const record = planWrite(transferStreamId, transferAggregate, transfer, [
        ...requested.events.map((event) => ({
          event,
          commandId: context.commandId,
          causationId: context.causationId,
        })),
        ...progress.map((event) => ({ event, ...causedBy(progressCommandId) })),
      ]);
      const creditWrite = planWrite(destinationStreamId, accountAggregate, destination, [
        { event: credited, ...causedBy(`${transferId}:credit`) },
      ]);
      const writes = completes
        ? [
            planWrite(sourceStreamId, accountAggregate, source, [
              { event: debited, ...causedBy(`${transferId}:debit`) },
            ]),
            creditWrite,
            record,
          ]
        : [creditWrite, record];
      const state = record.stateAfter;
      if (state.status === 'none') throw new Error(`transfer ${transferId} vanished`);
      return {
        kind: 'append',
        // The transfer stream goes last: its final event is the append's position.
        writes,
        result: (position) => ({ kind: 'appended', state, position }),
      };
    },
  );
}
