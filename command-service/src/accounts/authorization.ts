import type { AccountState, Actor } from '@bank/domain';
import { AppError, COMMAND_ACCESS, forbiddenError, type Access } from '@bank/platform';

/**
 * Authorization in the write model, as defence in depth behind the gateway's own checks, by each
 * command's rule in COMMAND_ACCESS (@bank/platform). A customer touching someone else's account
 * gets the same NOT_FOUND as for an account that does not exist, so that ids cannot be probed; a
 * role that may never use the command gets PERMISSION_DENIED before anything is loaded.
 */

const hasAnyRole = (actor: Actor, roles: readonly string[]): boolean =>
  actor.roles.some((r) => roles.includes(r));

/** Refuses, before loading, an actor whose roles can never use the command. */
export function requireRole(actor: Actor, access: Access): void {
  if (hasAnyRole(actor, access.roles)) return;
  if (access.owner && actor.roles.includes('customer')) return;
  const owner = access.owner ? ', or a customer on their own account' : '';
  throw forbiddenError(`this command is for the roles ${access.roles.join(', ')}${owner}`);
}

export function accountNotFound(): AppError {
  return new AppError('not_found', 'ACCOUNT_NOT_FOUND', 'account not found');
}

/** The load-time half: the account must exist and, unless a role covers it, be the actor's. */
export function accountGuard(actor: Actor, access: Access): (state: AccountState) => void {
  return (state) => {
    if (state.status === 'none') throw accountNotFound();
    if (hasAnyRole(actor, access.roles)) return;
    if (state.ownerId !== actor.id) throw accountNotFound();
  };
}

/**
 * Who may open an account for `ownerId`: staff for anyone, with any overdraft limit; a customer
 * only for themself and without an overdraft (credit is the bank's decision).
 */
export function requireMayOpenFor(actor: Actor, ownerId: string, overdraftLimit: bigint): void {
  if (hasAnyRole(actor, COMMAND_ACCESS.OpenAccount.roles)) return;
  if (!actor.roles.includes('customer') || ownerId !== actor.id) {
    throw forbiddenError('customers may open accounts only for themselves');
  }
  if (overdraftLimit !== 0n) throw forbiddenError('customers open accounts without an overdraft');
}
