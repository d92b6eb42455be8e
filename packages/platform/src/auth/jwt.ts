import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  createLocalJWKSet,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { JwtKeyConfig } from './config.js';
import { isRole, type Principal } from './principal.js';

export interface TokenVerifier {
  /** The principal a bearer token names; throws InvalidTokenError for any bad token. */
  verify(token: string): Promise<Principal>;
  /** The algorithms accepted, for the docs. */
  readonly algorithms: readonly string[];
}

/**
 * The code a refused token answers with. A token that fails its signature, expiry, issuer or
 * audience check is only ever "invalid" to the client; the issue-time rules run after the
 * signature has been verified, so naming them tells only whoever the issuer gave the token to.
 */
export type TokenRefusalCode =
  'UNAUTHENTICATED' | 'TOKEN_ISSUED_IN_FUTURE' | 'TOKEN_LIFETIME_TOO_LONG';

/** Every reason a token is refused; `code` is what the client learns. */
export class InvalidTokenError extends Error {
  readonly type = 'InvalidTokenError';
  constructor(
    message: string,
    readonly code: TokenRefusalCode = 'UNAUTHENTICATED',
  ) {
    super(message);
  }
}

/** The settings a token is checked against, besides its key. */
export interface TokenRules {
  readonly issuer: string;
  readonly audience: string;
  /** Seconds of clock skew tolerated on exp, nbf and iat. */
  readonly clockToleranceSeconds: number;
  /** The longest lifetime accepted: exp − iat, or exp − now for a token without iat. */
  readonly maxLifetimeSeconds: number;
}

const SUB_PATTERN = /^[A-Za-z0-9._:@|-]{1,128}$/;

/**
 * A verifier with pinned algorithms: HS256 for a shared secret, RS256 or ES256 (by the key's
 * type) for a public key, RS256/ES256 for a JWKS. `exp` is required, `iss` and `aud` checked.
 * Pinning is what stops `alg: none` and the HS256-signed-with-the-public-key confusion. A token
 * issued in the future or living longer than the maximum is refused (RFC 8725 §3.10 practice):
 * a leaked long-lived token would otherwise stay usable for as long as its issuer chose.
 */
export function createTokenVerifier(options: TokenRules & { key: JwtKeyConfig }): TokenVerifier {
  const { key: keySource, algorithms } = resolveKey(options.key);
  const verified = new VerifiedTokens();
  return {
    algorithms,
    async verify(token) {
      const known = verified.get(token);
      if (known) return known;
      let payload: JWTPayload;
      try {
        const verified =
          typeof keySource === 'function'
            ? await jwtVerify(token, keySource, verifyOptions(options, algorithms))
            : await jwtVerify(token, keySource, verifyOptions(options, algorithms));
        payload = verified.payload;
      } catch (error) {
        throw new InvalidTokenError((error as Error).message);
      }
      checkIssueTime(payload, options);
      const principal = principalFrom(payload);
      if (typeof payload.exp === 'number') verified.add(token, principal, payload.exp * 1000);
      return principal;
    },
  };
}

/**
 * Tokens already verified, until they expire. A client sends the same token with every request,
 * and verifying its signature costs more than the rest of the request's authentication. The key
 * is the whole token, signature included, so only the exact token that passed is remembered;
 * it stops counting at its `exp` (without the clock tolerance, so never longer than a fresh check).
 */
class VerifiedTokens {
  private readonly tokens = new Map<string, { principal: Principal; expiresAtMs: number }>();

  constructor(private readonly capacity = 10_000) {}

  get(token: string): Principal | undefined {
    const entry = this.tokens.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= Date.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  add(token: string, principal: Principal, expiresAtMs: number): void {
    if (this.tokens.size >= this.capacity) {
      const oldest = this.tokens.keys().next();
      if (!oldest.done) this.tokens.delete(oldest.value);
    }
    this.tokens.set(token, { principal, expiresAtMs });
  }
}

function verifyOptions(options: TokenRules, algorithms: readonly string[]) {
  return {
    algorithms: [...algorithms],
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
  };
}

/**
 * `iat` no later than now plus the clock tolerance, and a lifetime within the maximum. jose has
 * checked that `iat`, when present, and `exp` are numbers, and that `exp` has not passed.
 */
function checkIssueTime(payload: JWTPayload, rules: TokenRules): void {
  const now = Math.floor(Date.now() / 1000);
  const { iat, exp } = payload;
  if (iat !== undefined && iat > now + rules.clockToleranceSeconds) {
    throw new InvalidTokenError(
      `the bearer token is issued ${iat - now} s in the future (iat); ` +
        `the clock tolerance is ${rules.clockToleranceSeconds} s`,
      'TOKEN_ISSUED_IN_FUTURE',
    );
  }
  if (exp === undefined) return;
  const lifetime = exp - (iat ?? now);
  if (lifetime > rules.maxLifetimeSeconds) {
    throw new InvalidTokenError(
      `the bearer token lives ${lifetime} s (${iat === undefined ? 'exp - now' : 'exp - iat'}); ` +
        `at most ${rules.maxLifetimeSeconds} s is accepted`,
      'TOKEN_LIFETIME_TOO_LONG',
    );
  }
}

function resolveKey(config: JwtKeyConfig): {
  key: Uint8Array | KeyObject | JWTVerifyGetKey;
  algorithms: readonly string[];
} {
  switch (config.kind) {
    case 'secret':
      return { key: new TextEncoder().encode(config.secret), algorithms: ['HS256'] };
    case 'public-key': {
      const key = createPublicKey(config.pem);
      if (key.asymmetricKeyType === 'rsa') return { key, algorithms: ['RS256'] };
      if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
        return { key, algorithms: ['ES256'] };
      }
      throw new Error(`${config.file}: only RSA and P-256 EC public keys are supported`);
    }
    case 'jwks':
      return {
        key: createLocalJWKSet(config.jwks as JSONWebKeySet),
        algorithms: ['RS256', 'ES256'],
      };
  }
}

function principalFrom(payload: JWTPayload): Principal {
  const sub = payload.sub;
  if (typeof sub !== 'string' || !SUB_PATTERN.test(sub))
    throw new InvalidTokenError('bad sub claim');
  const claimed = payload['roles'];
  if (!Array.isArray(claimed)) throw new InvalidTokenError('roles claim must be an array');
  const roles = [...new Set(claimed.filter(isRole))];
  return { id: sub, roles };
}
