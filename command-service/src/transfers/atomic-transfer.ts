import {
  accountStream,
  settleTransfer,
  TransferLegsRecordedError,
  transferStream,
  type AccountEvent,
  type AccountState,
  type ActiveTransferState,
  type TransferCommand,
  type TransferSettlement,
  type TransferState,
} from '@bank/domain';
import { rejectionError } from '@bank/platform';
import { accountKind } from '../accounts/account-stream.js';
import type { CommandContext } from '../infrastructure/command-context.js';
import {
  commandIdReused,
  planWrite,
  type CommandHandler,
  type PlannedEvent,
  type PlannedWrite,
  type StreamsDecision,
} from '../infrastructure/command-handler.js';
import type { LoadedStream } from '../infrastructure/stream-loader.js';
import { eventIdFor } from '../infrastructure/name-uuid.js';
import { transferKind } from './transfer-stream.js';

type RequestTransfer = Extract<TransferCommand, { type: 'RequestTransfer' }>;

export type AtomicTransferOutcome =
  /** Appended now: the transfer is completed or failed, money moved or not, in one append. */
  | { readonly kind: 'appended'; readonly state: ActiveTransferState; readonly position: bigint }
  /** The command id recorded this transfer before: its stream answers (see requestTransfer). */
  | { readonly kind: 'replayed' }
  /** A dry run: what the transfer would be, nothing appended. */
  | { readonly kind: 'dry-run'; readonly state: ActiveTransferState };

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
 * a later process-manager drive of the same transfer read them alike. A dry run decides the same
 * way on streams read just now and appends nothing (any store can answer it).
 */
export async function transferAtomically(
  handler: CommandHandler,
  command: RequestTransfer,
  context: CommandContext,
  options: { readonly dryRun?: boolean } = {},
): Promise<AtomicTransferOutcome> {
  const { transferId, fromAccountId, toAccountId } = command.data;
  const transferStreamId = transferStream(transferId);
  const sourceStreamId = accountStream(fromAccountId);
  const destinationStreamId = accountStream(toAccountId);
  return await handler.handleAcross(
    [transferStreamId, sourceStreamId, destinationStreamId],
    context,
    async (view): Promise<StreamsDecision<AtomicTransferOutcome>> => {
      const transfer = await view.load(transferStreamId, transferKind, context.commandId);
      if (transfer.earlier) {
        const { actorId } = transfer.earlier;
        if (context.fromClient && actorId !== undefined && actorId !== context.actor.id)
          throw commandIdReused();
        return { kind: 'answer', result: { kind: 'replayed' } };
      }
      const source = await view.load(sourceStreamId, accountKind);
      const destination = await view.load(destinationStreamId, accountKind);
      const settled = settleUnlessRecorded(
        () => settleTransfer(command, transfer.state, source.state, destination.state),
        [transfer, source, destination],
      );
      if (settled === 'recheck') return { kind: 'recheck' };
      if (!settled.ok) {
        const loaded = { transfer, source, destination }[settled.on];
        if (!loaded.verified) return { kind: 'recheck' };
        throw rejectionError(settled.rejection.code, settled.rejection.message);
      }
      const { record, accounts } = settlementWrites(
        context,
        { transfer, source, destination },
        settled,
        command.data,
      );
      const writes = [
        ...accounts.map(({ streamId, loaded, events }) =>
          planWrite(streamId, accountKind, loaded, events),
        ),
        record,
      ];
      const state = record.stateAfter;
      if (state.status === 'none') throw new Error(`transfer ${transferId} vanished`);
      if (options.dryRun) {
        if (![transfer, source, destination].every((s) => s.verified)) return { kind: 'recheck' };
        return { kind: 'answer', result: { kind: 'dry-run', state } };
      }
      return {
        kind: 'append',
        // The transfer stream goes last: its final event is the append's position.
        writes,
        result: (position) => ({ kind: 'appended', state, position }),
      };
    },
  );
}

/** The events one settled transfer appends to one account stream, under their leg's command id. */
export interface AccountLegWrite {
  readonly streamId: string;
  readonly loaded: LoadedStream<AccountState>;
  readonly events: readonly PlannedEvent[];
}

/**
 * The writes of a settled transfer: its record on the transfer stream (TransferRequested under the
 * command's id, the rest of the timeline under the id a process-manager drive would use) and each
 * account's leg under `<transfer>:debit` / `<transfer>:credit`, each caused by TransferRequested.
 * The accounts are given as the transfer found them (a batch leg: after the earlier legs).
 */
export function settlementWrites(
  context: CommandContext,
  streams: {
    readonly transfer: LoadedStream<TransferState>;
    readonly source: LoadedStream<AccountState>;
    readonly destination: LoadedStream<AccountState>;
  },
  settled: Extract<TransferSettlement, { ok: true }>,
  accounts: {
    readonly transferId: string;
    readonly fromAccountId: string;
    readonly toAccountId: string;
  },
): {
  readonly record: PlannedWrite & { readonly stateAfter: TransferState };
  readonly accounts: AccountLegWrite[];
} {
  const { transferId } = accounts;
  const transferStreamId = transferStream(transferId);
  const requestedEventId = eventIdFor(context.commandId, transferStreamId, 0);
  const causedBy = (commandId: string) => ({ commandId, causationId: requestedEventId });
  const progressCommandId = `${transferId}:${
    settled.completes ? 'source-debited+destination-credited+completed' : 'failed'
  }`;
  const record = planWrite(transferStreamId, transferKind, streams.transfer, [
    ...settled.requested.map((event) => ({
      event,
      commandId: context.commandId,
      causationId: context.causationId,
    })),
    ...settled.progress.map((event) => ({ event, ...causedBy(progressCommandId) })),
  ]);
  const leg = (
    side: 'debit' | 'credit',
    accountId: string,
    loaded: LoadedStream<AccountState>,
    events: readonly AccountEvent[],
  ): AccountLegWrite[] =>
    events.length === 0
      ? []
      : [
          {
            streamId: accountStream(accountId),
            loaded,
            events: events.map((event) => ({ event, ...causedBy(`${transferId}:${side}`) })),
          },
        ];
  return {
    record,
    accounts: [
      ...leg('debit', accounts.fromAccountId, streams.source, settled.debit),
      ...leg('credit', accounts.toAccountId, streams.destination, settled.credit),
    ],
  };
}

/**
 * Settles with `settle`, unless the accounts already hold the legs of what the transfer streams
 * call new: then, if any stream was answered from the cache, 'recheck' (another instance
 * recorded it; read just now, its stream shows it and the command is a replay). On streams read
 * just now that is a broken invariant and stays an error.
 */
export function settleUnlessRecorded<T>(
  settle: () => T,
  loaded: readonly { readonly verified: boolean }[],
): T | 'recheck' {
  try {
    return settle();
  } catch (error) {
    if (error instanceof TransferLegsRecordedError && loaded.some((stream) => !stream.verified))
      return 'recheck';
    throw error;
  }
}
