import type * as grpc from '@grpc/grpc-js';
import { AppError } from '../errors.js';
import type { TokenConfig } from './config.js';
import { createTokenVerifier, InvalidTokenError, type TokenVerifier } from './jwt.js';
import { isStaff, type Principal } from './principal.js';

/** The metadata key the caller's bearer token travels in, as in HTTP. */
export const AUTHORIZATION_METADATA = 'authorization';

/** Outgoing metadata: the caller's bearer token, as the gateway forwards it. */
export function setBearerToken(metadata: grpc.Metadata, token: string): grpc.Metadata {
  metadata.set(AUTHORIZATION_METADATA, `Bearer ${token}`);
  return metadata;
}

/** A call without a valid token: answered UNAUTHENTICATED, nothing run. */
export class UnauthenticatedError extends Error {
  readonly type = 'UnauthenticatedError';
}

/**
 * Who a call is from, proven by the bearer token in its metadata; the request's own claims are
 * checked against it. Used by `unary` for every RPC, whatever its method.
 */
export interface CallerAuthenticator {
  authenticate(metadata: grpc.Metadata, request: unknown): Promise<Principal>;
}

const BEARER = /^Bearer[ ]+(\S+)$/i;

/**
 * Verifies the forwarded token (signature, issuer, audience, expiry, lifetime, with the same
 * settings as the gateway) and the claims any request makes:
 * - a `context.actor` (every command) must be the token's subject with the token's roles;
 * - a request with read `options` (every query that reads an owner's resources), from anyone
 *   but staff, must be restricted to the token's subject.
 * A missing or bad token is UNAUTHENTICATED; a claim the token does not back is
 * PERMISSION_DENIED. Either way the handler never runs, so nothing is appended.
 */
export function createCallerAuthenticator(
  config: TokenConfig,
  verifier: TokenVerifier = createTokenVerifier({
    key: config.jwt,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    clockToleranceSeconds: config.jwtClockToleranceSeconds,
    maxLifetimeSeconds: config.jwtMaxLifetimeSeconds,
  }),
): CallerAuthenticator {
  return {
    async authenticate(metadata, request) {
      const values = metadata.get(AUTHORIZATION_METADATA);
      if (values.length === 0) throw new UnauthenticatedError('a bearer token is required');
      const header = values.length === 1 ? values[0] : undefined;
      const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
      if (!token)
        throw new UnauthenticatedError('the authorization metadata is not one bearer token');
      let principal: Principal;
      try {
        principal = await verifier.verify(token);
      } catch (error) {
        if (error instanceof InvalidTokenError)
          throw new UnauthenticatedError(`the bearer token is refused: ${error.message}`);
        throw error;
      }
      checkClaims(request, principal);
      return principal;
    },
  };
}

interface ClaimingRequest {
  readonly context?: { readonly actor?: { id?: string; roles?: string[] } | null } | null;
  readonly options?: { readonly restrictToOwner?: string } | null;
}

function checkClaims(request: unknown, principal: Principal): void {
  if (typeof request !== 'object' || request === null) return;
  const claims = request as ClaimingRequest;
  const actor = claims.context?.actor;
  if (actor) {
    const roles = new Set(actor.roles ?? []);
    const same =
      actor.id === principal.id &&
      roles.size === principal.roles.length &&
      principal.roles.every((role) => roles.has(role));
    if (!same) throw forbidden('context.actor is not the caller the bearer token names');
  }
  if ('options' in claims && !isStaff(principal)) {
    if ((claims.options?.restrictToOwner ?? '') !== principal.id) {
      throw forbidden('options.restrict_to_owner must be the caller the bearer token names');
    }
  }
}

const forbidden = (message: string) => new AppError('forbidden', 'FORBIDDEN', message);
