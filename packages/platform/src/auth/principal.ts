/** Who is calling, as their bearer token says. */
export const ROLES = ['customer', 'teller', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The token's `sub`: for customers, the owner id of their accounts. */
  readonly id: string;
  readonly roles: readonly Role[];
}

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Staff act on any account; everyone else only on their own. */
export const isStaff = (principal: Principal): boolean =>
  principal.roles.includes('teller') || principal.roles.includes('admin');

/**
 * The owner every read must be restricted to: the principal's id unless they are staff. The
 * query service then answers NOT_FOUND for anything else, so a customer never learns that
 * another customer's resource exists.
 */
export const ownerRestriction = (principal: Principal): string =>
  isStaff(principal) ? '' : principal.id;

export const hasAnyRole = (principal: Principal, allowed: readonly Role[]): boolean =>
  principal.roles.some((role) => allowed.includes(role));

/** A low-cardinality label for metrics: the strongest role, never the id. */
export function principalKind(principal: Principal | null | undefined): string {
  if (!principal) return 'anonymous';
  if (principal.roles.includes('admin')) return 'admin';
  if (principal.roles.includes('teller')) return 'teller';
  if (principal.roles.includes('customer')) return 'customer';
  return 'none';
}
