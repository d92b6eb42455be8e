import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';

export type Role = 'customer' | 'teller' | 'admin';

export const ISSUER = 'bank-gateway';
export const AUDIENCE = 'bank-api';

/**
 * The run's RSA key pair: the gateway verifies RS256 with the public key (JWT_PUBLIC_KEY_FILE),
 * so the hostile phase can try the classic HS256-signed-with-the-public-key confusion.
 */
export interface TokenIssuer {
  readonly publicKeyFile: string;
  readonly publicKeyPem: string;
  mint(sub: string, roles: readonly Role[], options?: MintOptions): Promise<string>;
}

export interface MintOptions {
  /** exp − iat (default 4 h); negative mints an expired token. */
  readonly ttlSeconds?: number;
  /** iat relative to now (default 0); positive claims an issue time in the future. */
  readonly issuedInSeconds?: number;
  readonly issuer?: string;
  readonly audience?: string;
}

export function createTokenIssuer(folder: string): TokenIssuer {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const publicKeyFile = join(folder, 'jwt-public.pem');
  writeFileSync(publicKeyFile, publicKeyPem);
  return {
    publicKeyFile,
    publicKeyPem,
    mint: (sub, roles, options = {}) => sign(privateKey, sub, roles, options),
  };
}

function sign(
  key: KeyObject,
  sub: string,
  roles: readonly Role[],
  options: MintOptions,
): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000) + (options.issuedInSeconds ?? 0);
  return new SignJWT({ roles: [...roles] })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.ttlSeconds ?? 4 * 3600))
    .sign(key);
}
