import { SignJWT } from 'jose';
import type { Role } from './principal.js';

export interface MintOptions {
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  /** Lifetime; negative mints an already expired token (tests). */
  readonly ttlSeconds?: number;
}

/** An HS256 token as the gateway expects it: for development and tests only. */
export async function mintDevelopmentToken(options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: [...options.roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 3600))
    .sign(new TextEncoder().encode(options.secret));
}
