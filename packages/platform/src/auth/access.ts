import type { Role } from './principal.js';

/**
 * Who may use an operation: `roles` on any account, and with `owner` a customer on their own
 * accounts too. Declared once per command (COMMAND_ACCESS) and for reads (READ_ACCESS): the
 * gateway lets only these roles through, the command service checks them again with ownership,
 * and the OpenAPI document states them.
 */
export interface Access {
  readonly roles: readonly Role[];
  readonly owner: boolean;
}

export const STAFF: Access = { roles: ['teller', 'admin'], owner: false };
export const STAFF_OR_OWNER: Access = { roles: ['teller', 'admin'], owner: true };
export const ADMIN: Access = { roles: ['admin'], owner: false };
export const ADMIN_OR_OWNER: Access = { roles: ['admin'], owner: true };

/** Every read: staff see everything, a customer only what they own (the query service filters). */
export const READ_ACCESS: Access = STAFF_OR_OWNER;

/**
 * The access rule of each command RPC. Opening an account adds its own rule (a customer opens
 * for themself only, without an overdraft).
 */
export const COMMAND_ACCESS = {
  OpenAccount: STAFF_OR_OWNER,
  Deposit: STAFF,
  Withdraw: STAFF_OR_OWNER,
  PlaceHold: STAFF,
  CaptureHold: STAFF,
  ReleaseHold: STAFF,
  FreezeAccount: ADMIN,
  UnfreezeAccount: ADMIN,
  ChangeOverdraftLimit: ADMIN,
  CloseAccount: ADMIN_OR_OWNER,
  RequestTransfer: STAFF_OR_OWNER,
  RequestTransferBatch: STAFF_OR_OWNER,
  ReverseTransfer: STAFF,
} as const satisfies Record<string, Access>;

export type CommandRpc = keyof typeof COMMAND_ACCESS;

/** Every role that may call the operation at all (ownership is checked later, per account). */
export const callerRoles = (access: Access): Role[] =>
  access.owner ? ['customer', ...access.roles] : [...access.roles];

const ROLE_NAMES: Readonly<Record<Role, string>> = {
  customer: 'customers',
  teller: 'tellers',
  admin: 'admins',
};

/** The rule in words: "Tellers and admins, or a customer on their own accounts." */
export function describeAccess(access: Access): string {
  const names = access.roles.map((role) => ROLE_NAMES[role]);
  const staff =
    names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
  const who = `${staff ?? ''}${access.owner ? ', or a customer on their own accounts' : ''}`;
  return `${who.charAt(0).toUpperCase()}${who.slice(1)}.`;
}
