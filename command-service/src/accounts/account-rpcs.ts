import { validationError, type UnaryHandler } from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import type { Clock } from '../infrastructure/command-context.js';
import type { CommandHandler } from '../infrastructure/command-handler.js';
import { entityIdFor } from '../infrastructure/name-uuid.js';
import { commandContextOf } from '../requests/command-request.js';
import {
  optionalInstant,
  optionalLimit,
  optionalText,
  optionalUuid,
  requireAmount,
  requireUuid,
} from '../requests/fields.js';
import { accountReply, releasedByCapture } from './account-reply.js';
import { COMMAND_ACCESS } from '@bank/platform';
import { runAccountCommand } from './run-account-command.js';

/** The RPCs on an existing account: each parses its request and hands a domain command over. */

type Deps = { handler: CommandHandler; clock: Clock };
type Reply = commandTypes.AccountReply;

export function deposit(deps: Deps): UnaryHandler<commandTypes.MoneyRequest__Output, Reply> {
  return async (request, call) => {
    const context = commandContextOf('Deposit', request.context, call, deps.clock);
    const accountId = requireUuid(request.accountId, 'account_id');
    const outcome = await runAccountCommand(
      deps.handler,
      accountId,
      context,
      COMMAND_ACCESS.Deposit,
      (account) => ({
        type: 'Deposit',
        data: { amount: requireAmount(request.amount, account.currency) },
      }),
    );
    return accountReply(outcome);
  };
}

export function withdraw(deps: Deps): UnaryHandler<commandTypes.MoneyRequest__Output, Reply> {
  return async (request, call) => {
    const context = commandContextOf('Withdraw', request.context, call, deps.clock);
    const accountId = requireUuid(request.accountId, 'account_id');
    const outcome = await runAccountCommand(
      deps.handler,
      accountId,
      context,
      COMMAND_ACCESS.Withdraw,
      (account) => ({
        type: 'Withdraw',
        data: { amount: requireAmount(request.amount, account.currency) },
      }),
    );
    return accountReply(outcome);
  };
}

/** Without a hold id the id is derived from the command id, so a retried hold is the same hold. */
export function placeHold(deps: Deps): UnaryHandler<commandTypes.PlaceHoldRequest__Output, Reply> {
  return async (request, call) => {
    const context = commandContextOf('PlaceHold', request.context, call, deps.clock);
    const accountId = requireUuid(request.accountId, 'account_id');
    const holdId =
      optionalUuid(request.holdId, 'hold_id') ?? entityIdFor('hold', context.commandId);
    const expiresAt = optionalInstant(request.expiresAt, 'expires_at') ?? null;
    const outcome = await runAccountCommand(
      deps.handler,
      accountId,
      context,
      COMMAND_ACCESS.PlaceHold,
      (account) => ({
        type: 'PlaceHold',
        data: {
          holdId,
          amount: requireAmount(request.amount, account.currency),
          expiresAt,
          now: context.occurredAt,
        },
      }),
    );
    return accountReply(outcome, holdId);
  };
}

export function captureHold(
  deps: Deps,
): UnaryHandler<commandTypes.CaptureHoldRequest__Output, Reply> {
  return async (request, call) => {
    const context = commandContextOf('CaptureHold', request.context, call, deps.clock);
    const accountId = requireUuid(request.accountId, 'account_id');
    const holdId = requireUuid(request.holdId, 'hold_id');
    const outcome = await runAccountCommand(
      deps.handler,
      accountId,
      context,
      COMMAND_ACCESS.CaptureHold,
      (account) => ({
        type: 'CaptureHold',
        data: {
          holdId,
          amount: request.amount === '' ? null : requireAmount(request.amount, account.currency),
          now: context.occurredAt,
        },
      }),
    );
    return { ...accountReply(outcome, holdId), released: releasedByCapture(outcome, holdId) };
  };
}

export function releaseHold(deps: Deps): UnaryHandler<commandTypes.HoldRequest__Output, Reply> {
  return async (request, call) => {
    const context = commandContextOf('ReleaseHold', request.context, call, deps.clock);
    const accountId = requireUuid(request.accountId, 'account_id');
    const holdId = requireUuid(request.holdId, 'hold_id');
    const outcome = await runAccountCommand(
      deps.handler,
      accountId,
      context,
      COMMAND_ACCESS.ReleaseHold,
      () => ({
        type: 'ReleaseHold',
        data: { holdId },
      }),
    );
    return accountReply(outcome, holdId);
  };
}

export function freezeAccount(
  deps: Deps,
): UnaryHandler<commandTypes.FreezeAccountRequest__Output, Reply> {
  return async (request, call) => {
    const context = commandContextOf('FreezeAccount', request.context, call, deps.clock);
    const accountId = requireUuid(request.accountId, 'account_id');
    const reason = optionalText(request.reason, 'reason', 500);
    const outcome = await runAccountCommand(
      deps.handler,
      accountId,
      context,
      COMMAND_ACCESS.FreezeAccount,
      () => ({
        type: 'FreezeAccount',
        data: { reason },
      }),
    );
    return accountReply(outcome);
  };
}

export function unfreezeAccount(
  deps: Deps,
): UnaryHandler<commandTypes.AccountRequest__Output, Reply> {
  return async (request, call) => {
    const context = commandContextOf('UnfreezeAccount', request.context, call, deps.clock);
    const accountId = requireUuid(request.accountId, 'account_id');
    const outcome = await runAccountCommand(
      deps.handler,
      accountId,
      context,
      COMMAND_ACCESS.UnfreezeAccount,
      () => ({
        type: 'UnfreezeAccount',
        data: {},
      }),
    );
    return accountReply(outcome);
  };
}

export function changeOverdraftLimit(
  deps: Deps,
): UnaryHandler<commandTypes.ChangeOverdraftLimitRequest__Output, Reply> {
  return async (request, call) => {
    const context = commandContextOf('ChangeOverdraftLimit', request.context, call, deps.clock);
    const accountId = requireUuid(request.accountId, 'account_id');
    if (request.overdraftLimit === '')
      throw validationError('overdraft_limit is required', 'overdraft_limit');
    const outcome = await runAccountCommand(
      deps.handler,
      accountId,
      context,
      COMMAND_ACCESS.ChangeOverdraftLimit,
      (account) => ({
        type: 'ChangeOverdraftLimit',
        data: {
          overdraftLimit: optionalLimit(
            request.overdraftLimit,
            account.currency,
            'overdraft_limit',
          ),
        },
      }),
    );
    return accountReply(outcome);
  };
}

/** Closing is for admins and for the owner (the gateway's contract), not for tellers. */
export function closeAccount(deps: Deps): UnaryHandler<commandTypes.AccountRequest__Output, Reply> {
  return async (request, call) => {
    const context = commandContextOf('CloseAccount', request.context, call, deps.clock);
    const accountId = requireUuid(request.accountId, 'account_id');
    const outcome = await runAccountCommand(
      deps.handler,
      accountId,
      context,
      COMMAND_ACCESS.CloseAccount,
      () => ({
        type: 'CloseAccount',
        data: {},
      }),
    );
    return accountReply(outcome);
  };
}
