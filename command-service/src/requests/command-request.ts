import type { Actor } from '@bank/domain';
import { validationError, type UnaryContext } from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import type { Clock, CommandContext } from '../infrastructure/command-context.js';
import { optionalText } from './fields.js';

export const ROLES = ['customer', 'teller', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A client's command id: any string up to 255 characters without a colon. */
const MAX_COMMAND_ID_LENGTH = 255;

/**
 * Turns the `context` every command request carries plus the call into a CommandContext:
 * the command id and actor are required; time is read once here for the whole command.
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
  return {
    command,
    commandId,
    fromClient: true,
    correlationId: call.correlationId,
    causationId: commandId,
    actor: actorOf(request.actor),
    occurredAt: clock().toISOString(),
    deadline: call.deadline,
    logger: call.logger.child({ commandId }),
  };
}

function actorOf(actor: commandTypes.Actor__Output | null): Actor {
  if (!actor || actor.id === '')
    throw validationError('context.actor.id is required', 'context.actor.id');
  const id = optionalText(actor.id, 'context.actor.id', 255);
  const unknown = actor.roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) {
    throw validationError(`unknown roles: ${unknown.join(', ')}`, 'context.actor.roles');
  }
  return { id, roles: [...new Set(actor.roles)] };
}
