import type { Actor } from '@bank/domain';
import {
  UnauthenticatedError,
  validationError,
  type Logger,
  type Principal,
  type UnaryContext,
} from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import type { Clock, CommandContext } from '../infrastructure/command-context.js';
import { optionalText } from './fields.js';

export { ROLES, type Role } from '@bank/platform';

/** A client's command id: any string up to 255 characters without a colon. */
const MAX_COMMAND_ID_LENGTH = 255;
/** A request hash: hex, as long as a SHA-512 at most. */
const REQUEST_HASH = /^[0-9a-f]{1,128}$/;

/**
 * Turns the `context` every command request carries plus the call into a CommandContext:
 * the command id is required, the actor is the authenticated caller; time is read once here
 * for the whole command.
 */
export function commandContextOf(
  command: string,
  request: commandTypes.CommandContext__Output | null,
  call: UnaryContext,
  clock: Clock,
): CommandContext {
  if (!request) throw validationError('context is required', 'context');
  if (request.commandId === '')
    throw validationError('context.command_id is required', 'context.command_id');
  const commandId = optionalText(request.commandId, 'context.command_id', MAX_COMMAND_ID_LENGTH);
  // `<id>:<step>` names the steps the service runs itself (a transfer's legs, a hold's expiry);
  // a client's command under such an id would pass for the step already done.
  if (commandId.includes(':'))
    throw validationError('context.command_id must not contain ":"', 'context.command_id');
  const { requestHash } = request;
  if (requestHash !== '' && !REQUEST_HASH.test(requestHash))
    throw validationError('context.request_hash must be lowercase hex', 'context.request_hash');
  let logger: Logger | undefined;
  return {
    command,
    commandId,
    fromClient: true,
    ...(requestHash === '' ? {} : { outcome: { commandId, requestHash } }),
    correlationId: call.correlationId,
    causationId: commandId,
    actor: actorOf(call.caller),
    occurredAt: clock().toISOString(),
    deadline: call.deadline,
    // Made when something logs: most commands log nothing.
    get logger() {
      return (logger ??= call.logger.child({ commandId }));
    },
  };
}

/**
 * The actor is the caller the bearer token proves (the authenticator has already refused a
 * request whose `context.actor` names anyone else); a request field alone is never believed.
 */
function actorOf(caller: Principal | undefined): Actor {
  if (!caller) throw new UnauthenticatedError('a bearer token is required');
  return { id: caller.id, roles: [...caller.roles] };
}
