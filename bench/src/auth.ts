import { SignJWT } from 'jose';

/** The gateway's defaults (JWT_ISSUER / JWT_AUDIENCE); the bench leaves them unset. */
const ISSUER = 'bank-gateway';
const AUDIENCE = 'bank-api';

/** An HS256 bearer token signed with the secret the bench gives the gateway (JWT_SECRET). */
export async function mintToken(
  secret: string,
  sub: string,
  roles: readonly string[],
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: [...roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 3 * 3600)
    .sign(new TextEncoder().encode(secret));
}
