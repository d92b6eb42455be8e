import { readFileSync } from 'node:fs';
import type { EnvReader } from '../config.js';

/** How bearer tokens are verified: exactly one key source, its algorithms pinned. */
export type JwtKeyConfig =
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'public-key'; readonly pem: string; readonly file: string }
  | { readonly kind: 'jwks'; readonly jwks: unknown; readonly file: string };

/**
 * The token settings the gateway checks end users' tokens with, and the command and query
 * services check the same forwarded token with on every call: one set of variables, read the
 * same way by all three.
 */
export interface TokenConfig {
  readonly jwt: JwtKeyConfig;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** Seconds of clock skew tolerated on exp/nbf/iat. */
  readonly jwtClockToleranceSeconds: number;
  /** The longest token lifetime accepted (exp − iat, or exp − now without iat). */
  readonly jwtMaxLifetimeSeconds: number;
}

/**
 * The HS256 secret used when no key is configured and NODE_ENV is not production, so that
 * `npm start` and `npm run token` work out of the box. Never accepted in production.
 */
export const DEVELOPMENT_JWT_SECRET = 'bank-development-secret-do-not-use-in-production';

/** JWT_ISSUER and JWT_AUDIENCE when unset. */
export const DEFAULT_JWT_ISSUER = 'bank-gateway';
export const DEFAULT_JWT_AUDIENCE = 'bank-api';

/** A day: long enough for a working session, short enough that a leaked token ages out. */
export const DEFAULT_JWT_MAX_LIFETIME_SECONDS = 24 * 3600;

/** The smallest HS256 secret accepted: as long as the hash (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

/** JWT_SECRET | JWT_PUBLIC_KEY_FILE | JWT_JWKS_FILE, JWT_ISSUER, JWT_AUDIENCE and the time rules. */
export function readTokenConfig(reader: EnvReader): TokenConfig {
  return {
    jwt: readJwtKey(reader),
    jwtIssuer: reader.string('JWT_ISSUER', DEFAULT_JWT_ISSUER),
    jwtAudience: reader.string('JWT_AUDIENCE', DEFAULT_JWT_AUDIENCE),
    jwtClockToleranceSeconds: reader.int('JWT_CLOCK_TOLERANCE_SECONDS', 5, { min: 0, max: 300 }),
    jwtMaxLifetimeSeconds: reader.int(
      'JWT_MAX_LIFETIME_SECONDS',
      DEFAULT_JWT_MAX_LIFETIME_SECONDS,
      { min: 60, max: 30 * 24 * 3600 },
    ),
  };
}

function readJwtKey(reader: EnvReader): JwtKeyConfig {
  const secret = reader.string('JWT_SECRET');
  const publicKeyFile = reader.string('JWT_PUBLIC_KEY_FILE');
  const jwksFile = reader.string('JWT_JWKS_FILE');
  if (secret !== undefined) {
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      reader.report(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    return { kind: 'secret', secret };
  }
  if (publicKeyFile !== undefined) {
    const pem = readText(reader, 'JWT_PUBLIC_KEY_FILE', publicKeyFile);
    return { kind: 'public-key', pem, file: publicKeyFile };
  }
  if (jwksFile !== undefined) {
    const text = readText(reader, 'JWT_JWKS_FILE', jwksFile);
    try {
      return { kind: 'jwks', jwks: JSON.parse(text) as unknown, file: jwksFile };
    } catch {
      reader.report(`JWT_JWKS_FILE: ${jwksFile} is not JSON`);
      return { kind: 'jwks', jwks: { keys: [] }, file: jwksFile };
    }
  }
  if (reader.string('NODE_ENV') === 'production') {
    reader.report(
      'one of JWT_SECRET, JWT_PUBLIC_KEY_FILE or JWT_JWKS_FILE is required in production',
    );
  }
  return { kind: 'secret', secret: DEVELOPMENT_JWT_SECRET };
}

/** A file a setting names, read whole; a problem reported (and '' returned) when unreadable. */
export function readSettingFile(reader: EnvReader, name: string, file: string): string {
  return readText(reader, name, file);
}

function readText(reader: EnvReader, name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    reader.report(
      `${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return '';
  }
}
