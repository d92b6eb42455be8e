import { accountStream, decideAccount, type AccountType } from '@bank/domain';
import { rejectionError, validationError, type UnaryHandler } from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import type { Clock } from '../infrastructure/command-context.js';
import type { CommandHandler } from '../infrastructure/command-handler.js';
import { entityIdFor } from '../infrastructure/name-uuid.js';
import { commandContextOf } from '../requests/command-request.js';
import { optionalLimit, optionalText, optionalUuid, requireCurrency } from '../requests/fields.js';
import { accountKind } from './account-stream.js';
import { accountReply } from './account-reply.js';
import { requireMayOpenFor } from './authorization.js';

const ACCOUNT_TYPES: readonly AccountType[] = ['checking', 'savings'];

/**
 * Opens an account. Without an account id the id is derived from the command id, so a retried
 * open lands on the same stream and is answered from it instead of opening a second account.
 */
export function openAccount(deps: {
  handler: CommandHandler;
  clock: Clock;
}): UnaryHandler<commandTypes.OpenAccountRequest__Output, commandTypes.AccountReply> {
  return async (request, call) => {
    const context = commandContextOf('OpenAccount', request.context, call, deps.clock);
    const accountId =
      optionalUuid(request.accountId, 'account_id') ?? entityIdFor('account', context.commandId);
    const ownerId =
      request.ownerId === '' ? context.actor.id : optionalText(request.ownerId, 'owner_id', 255);
    const currency = requireCurrency(request.currency);
    const accountType = request.type === '' ? 'checking' : request.type;
    if (!(ACCOUNT_TYPES as readonly string[]).includes(accountType)) {
      throw validationError(`type must be one of ${ACCOUNT_TYPES.join(', ')}`, 'type');
    }
    const overdraftLimit = optionalLimit(request.overdraftLimit, currency, 'overdraft_limit');
    requireMayOpenFor(context.actor, ownerId, overdraftLimit);

    const command = {
      type: 'OpenAccount',
      data: {
        accountId,
        ownerId,
        currency,
        accountType: accountType as AccountType,
        overdraftLimit,
      },
    } as const;
    const outcome = await deps.handler.handle(
      accountStream(accountId),
      accountKind,
      (state) => decideAccount(command, state),
      context,
    );
    if (!outcome.ok) throw rejectionError(outcome.rejection.code, outcome.rejection.message);
    return accountReply(outcome);
  };
}
