import type { AccountCommand, AccountState, OpenAccountState } from '@bank/domain';
import { COMMAND_ACCESS, validationError, type UnaryHandler } from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import type { Clock, CommandContext } from '../infrastructure/command-context.js';
import type { Accepted, CommandHandler } from '../infrastructure/command-handler.js';
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
import { runAccountCommand } from './run-account-command.js';

/** The RPCs on an existing account: each parses its request and hands a domain command over. */

type Deps = { handler: CommandHandler; clock: Clock };
type Reply = commandTypes.AccountReply;

/** What an account RPC makes of its request: the domain command, and the hold it is about. */
interface Parsed {
  /** Sees the loaded account: amounts can only be parsed in its currency. */
  readonly command: (account: OpenAccountState) => AccountCommand;
  readonly holdId?: string;
}

/**
 * An RPC on one account (`account_id`): its context and account id read, the request parsed by
 * `parse`, the command run under the RPC's access rule (runAccountCommand), and the account
 * answered (`reply` adds what the RPC answers beyond it).
 */
function accountRpc<
  R extends { context: commandTypes.CommandContext__Output | null; accountId: string },
>(
  rpc:
    | 'Deposit'
    | 'Withdraw'
    | 'PlaceHold'
    | 'CaptureHold'
    | 'ReleaseHold'
    | 'FreezeAccount'
    | 'UnfreezeAccount'
    | 'ChangeOverdraftLimit'
    | 'CloseAccount',
  parse: (request: R, context: CommandContext) => Parsed,
  reply: (outcome: Accepted<AccountState>, parsed: Parsed) => Reply = (outcome, parsed) =>
    accountReply(outcome, parsed.holdId),
): (deps: Deps) => UnaryHandler<R, Reply> {
  return (deps) => async (request, call) => {
    const context = commandContextOf(rpc, request.context, call, deps.clock);
    const accountId = requireUuid(request.accountId, 'account_id');
    const parsed = parse(request, context);
    const outcome = await runAccountCommand(
      deps.handler,
      accountId,
      context,
      COMMAND_ACCESS[rpc],
      parsed.command,
    );
    return reply(outcome, parsed);
  };
}

export const deposit = accountRpc<commandTypes.MoneyRequest__Output>('Deposit', (request) => ({
  command: (account) => ({
    type: 'Deposit',
    data: { amount: requireAmount(request.amount, account.currency) },
  }),
}));

export const withdraw = accountRpc<commandTypes.MoneyRequest__Output>('Withdraw', (request) => ({
  command: (account) => ({
    type: 'Withdraw',
    data: { amount: requireAmount(request.amount, account.currency) },
  }),
}));

/** Without a hold id the id is derived from the command id, so a retried hold is the same hold. */
export const placeHold = accountRpc<commandTypes.PlaceHoldRequest__Output>(
  'PlaceHold',
  (request, context) => {
    const holdId =
      optionalUuid(request.holdId, 'hold_id') ?? entityIdFor('hold', context.commandId);
    const expiresAt = optionalInstant(request.expiresAt, 'expires_at') ?? null;
    return {
      holdId,
      command: (account) => ({
        type: 'PlaceHold',
        data: {
          holdId,
          amount: requireAmount(request.amount, account.currency),
          expiresAt,
          now: context.occurredAt,
        },
      }),
    };
  },
);

export const captureHold = accountRpc<commandTypes.CaptureHoldRequest__Output>(
  'CaptureHold',
  (request, context) => {
    const holdId = requireUuid(request.holdId, 'hold_id');
    return {
      holdId,
      command: (account) => ({
        type: 'CaptureHold',
        data: {
          holdId,
          amount: request.amount === '' ? null : requireAmount(request.amount, account.currency),
          now: context.occurredAt,
        },
      }),
    };
  },
  (outcome, { holdId = '' }) => ({
    ...accountReply(outcome, holdId),
    released: releasedByCapture(outcome, holdId),
  }),
);

export const releaseHold = accountRpc<commandTypes.HoldRequest__Output>(
  'ReleaseHold',
  (request) => {
    const holdId = requireUuid(request.holdId, 'hold_id');
    return { holdId, command: () => ({ type: 'ReleaseHold', data: { holdId } }) };
  },
);

export const freezeAccount = accountRpc<commandTypes.FreezeAccountRequest__Output>(
  'FreezeAccount',
  (request) => {
    const reason = optionalText(request.reason, 'reason', 500);
    return { command: () => ({ type: 'FreezeAccount', data: { reason } }) };
  },
);

export const unfreezeAccount = accountRpc<commandTypes.AccountRequest__Output>(
  'UnfreezeAccount',
  () => ({ command: () => ({ type: 'UnfreezeAccount', data: {} }) }),
);

export const changeOverdraftLimit = accountRpc<commandTypes.ChangeOverdraftLimitRequest__Output>(
  'ChangeOverdraftLimit',
  (request) => {
    if (request.overdraftLimit === '')
      throw validationError('overdraft_limit is required', 'overdraft_limit');
    return {
      command: (account) => ({
        type: 'ChangeOverdraftLimit',
        data: {
          overdraftLimit: optionalLimit(
            request.overdraftLimit,
            account.currency,
            'overdraft_limit',
          ),
        },
      }),
    };
  },
);

/** Closing is for admins and for the owner (the gateway's contract), not for tellers. */
export const closeAccount = accountRpc<commandTypes.AccountRequest__Output>('CloseAccount', () => ({
  command: () => ({ type: 'CloseAccount', data: {} }),
}));
