import { SignJWT } from 'jose';
import { DEFAULT_JWT_AUDIENCE, DEFAULT_JWT_ISSUER, DEVELOPMENT_JWT_SECRET } from './config.js';
import type { Role } from './principal.js';

export interface MintOptions {
  readonly sub: string;
  readonly roles: readonly Role[];
  /** Default: the development secret, which every service accepts outside production. */
  readonly secret?: string;
  /** Defaults: the settings' defaults. */
  readonly issuer?: string;
  readonly audience?: string;
  /** Lifetime; negative mints an already expired token (tests). */
  readonly ttlSeconds?: number;
}

/** An HS256 token as the gateway expects it: for development and tests only. */
export async function mintDevelopmentToken(options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: [...options.roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuer(options.issuer ?? DEFAULT_JWT_ISSUER)
    .setAudience(options.audience ?? DEFAULT_JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 3600))
    .sign(new TextEncoder().encode(options.secret ?? DEVELOPMENT_JWT_SECRET));
}
