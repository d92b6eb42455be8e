import {
  accountStream,
  debitRefusal,
  type AccountState,
  type ActiveTransferState,
  decideTransfer,
  formatAmount,
  initialTransferState,
  transferStream,
  type TransferCommand,
} from '@bank/domain';
import { COMMAND_ACCESS, rejectionError, validationError, type UnaryHandler } from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import { accountKind } from '../accounts/account-stream.js';
import { accountGuard, accountNotFound, requireRole } from '../accounts/authorization.js';
import type { Clock, CommandContext } from '../infrastructure/command-context.js';
import type { CommandHandler } from '../infrastructure/command-handler.js';
import { entityIdFor } from '../infrastructure/name-uuid.js';
import { commandContextOf } from '../requests/command-request.js';
import { optionalText, optionalUuid, requireAmount, requireUuid } from '../requests/fields.js';
import { transferAtomically } from './atomic-transfer.js';
import type { TransferProcessManager } from './process-manager.js';
import { transferKind } from './transfer-stream.js';

/**
 * Where the store appends to several streams atomically, decides the transfer on both accounts
 * and appends it whole in one append (transferAtomically). Elsewhere it records the transfer
 * request, then runs the process manager in-line. Either way it answers with the final status.
 * A repeated command id finds its TransferRequested event, drives the transfer (finishing it if
 * a process-manager run crashed half-way; a transfer appended whole is finished already) and
 * answers `replayed`. A dry run decides as the atomic append would and records nothing.
 */
export function requestTransfer(deps: {
  handler: CommandHandler;
  clock: Clock;
  processManager: TransferProcessManager;
}): UnaryHandler<commandTypes.RequestTransferRequest__Output, commandTypes.TransferReply> {
  return async (request, call) => {
    const context = commandContextOf('RequestTransfer', request.context, call, deps.clock);
    const transferId =
      optionalUuid(request.transferId, 'transfer_id') ?? entityIdFor('transfer', context.commandId);
    const fromAccountId = requireUuid(request.fromAccountId, 'from_account_id');
    const toAccountId = requireUuid(request.toAccountId, 'to_account_id');
    const reference = optionalText(request.reference, 'reference', 140);
    if (request.amount === '') throw validationError('amount is required', 'amount');
    requireRole(context.actor, COMMAND_ACCESS.RequestTransfer);

    // Owner and currency never change once an account exists, so a cached account will do.
    const [source, destination] = await Promise.all([
      deps.handler.read(accountStream(fromAccountId), accountKind, { cachedIsEnough: true }),
      deps.handler.read(accountStream(toAccountId), accountKind, { cachedIsEnough: true }),
    ]);
    accountGuard(context.actor, COMMAND_ACCESS.RequestTransfer)(source.state);
    if (source.state.status === 'none') throw accountNotFound();
    if (destination.state.status === 'none') throw accountNotFound();
    const amount = requireAmount(request.amount, source.state.currency);
    const command = {
      type: 'RequestTransfer',
      data: {
        transferId,
        fromAccountId,
        toAccountId,
        amount,
        reference,
        fromCurrency: source.state.currency,
        toCurrency: destination.state.currency,
      },
    } as const;

    const drive = async (requested: { readonly position: bigint; readonly replayed: boolean }) => {
      const driven = await deps.processManager.drive(transferId, {
        correlationId: context.correlationId,
        actor: context.actor,
        logger: context.logger,
      });
      const position = driven.position > requested.position ? driven.position : requested.position;
      return { state: driven.state, position, replayed: requested.replayed };
    };
    let answer: { state: ActiveTransferState; position: bigint; replayed: boolean };
    if (deps.handler.supportsMultiStreamAppend || request.dryRun) {
      const outcome = await transferAtomically(deps.handler, command, context, {
        dryRun: request.dryRun,
      });
      answer =
        outcome.kind === 'replayed'
          ? await drive({ position: 0n, replayed: true })
          : outcome.kind === 'appended'
            ? { ...outcome, replayed: false }
            : { state: outcome.state, position: 0n, replayed: false };
    } else {
      answer = await drive(
        await requestThroughProcessManager(deps.handler, command, context, source.state),
      );
    }
    const { state, position, replayed } = answer;
    return {
      transferId,
      status: state.status,
      failureReason: state.failureReason ?? '',
      position: request.dryRun ? '' : position.toString(),
      replayed,
      amount: formatAmount(state.amount, state.currency),
      currency: state.currency,
      reversalOf: state.reversalOf ?? '',
      dryRun: request.dryRun,
      fromAccountId,
      toAccountId,
    };
  };
}

/** Records TransferRequested on its own, for the process manager to drive. */
async function requestThroughProcessManager(
  handler: CommandHandler,
  command: Extract<TransferCommand, { type: 'RequestTransfer' }>,
  context: CommandContext,
  cachedSource: AccountState,
): Promise<{ readonly position: bigint; readonly replayed: boolean }> {
  // A request the transfer rules refuse anyway (same account, other currency) gets that answer.
  if (decideTransfer(command, initialTransferState).ok)
    await refuseUnpayable(handler, command.data, cachedSource);
  const requested = await handler.handle(
    transferStream(command.data.transferId),
    transferKind,
    (state) => decideTransfer(command, state),
    context,
  );
  if (!requested.ok) throw rejectionError(requested.rejection.code, requested.rejection.message);
  return requested;
}

/**
 * A transfer its source plainly cannot pay (not enough available, frozen, closed) is refused up
 * front like a withdrawal: 422 with the reason, nothing recorded. The cached source answers
 * first; a refusal is confirmed on a fresh read (another instance may have credited the account
 * since), and only for a transfer not yet recorded: a retry of one recorded before gets its first
 * answer back. A transfer that passes here and loses a race to a concurrent debit is still
 * recorded as failed by the process manager (TransferDebitDeclined), moving no money.
 */
async function refuseUnpayable(
  handler: CommandHandler,
  transfer: {
    readonly transferId: string;
    readonly fromAccountId: string;
    readonly amount: bigint;
  },
  cachedSource: AccountState,
): Promise<void> {
  if (!debitRefusal(cachedSource, transfer.amount)) return;
  const source = await handler.read(accountStream(transfer.fromAccountId), accountKind);
  const refusal = debitRefusal(source.state, transfer.amount);
  if (!refusal) return;
  const recorded = await handler.read(transferStream(transfer.transferId), transferKind);
  if (recorded.state.status !== 'none') return;
  throw rejectionError(refusal.code, refusal.message);
}
