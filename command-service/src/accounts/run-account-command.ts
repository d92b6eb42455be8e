import {
  accountStream,
  decideAccount,
  type AccountCommand,
  type AccountState,
  type OpenAccountState,
} from '@bank/domain';
import { rejectionError } from '@bank/platform';
import type { CommandContext } from '../infrastructure/command-context.js';
import type { Accepted, CommandHandler } from '../infrastructure/command-handler.js';
import { accountKind } from './account-stream.js';
import type { Access } from '@bank/platform';
import { accountGuard, requireRole } from './authorization.js';

/**
 * Runs one command on an existing account: role check, load, ownership check, then decide.
 * `toCommand` sees the loaded account, because amounts can only be parsed in its currency;
 * a validation error it throws aborts the command before anything is appended.
 */
export async function runAccountCommand(
  handler: CommandHandler,
  accountId: string,
  context: CommandContext,
  access: Access,
  toCommand: (account: OpenAccountState) => AccountCommand,
): Promise<Accepted<AccountState>> {
  requireRole(context.actor, access);
  const outcome = await handler.handle(
    accountStream(accountId),
    accountKind,
    (state) => {
      if (state.status === 'none') throw new Error('guard let a missing account through');
      return decideAccount(toCommand(state), state);
    },
    context,
    { guard: accountGuard(context.actor, access) },
  );
  if (!outcome.ok) throw rejectionError(outcome.rejection.code, outcome.rejection.message);
  return outcome;
}
