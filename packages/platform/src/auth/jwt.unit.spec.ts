import { strict as assert } from 'node:assert';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { exportJWK, SignJWT } from 'jose';
import { createTokenVerifier, InvalidTokenError } from './jwt.js';
import { mintDevelopmentToken } from './mint.js';

const SECRET = 'unit-test-secret-0123456789-abcdefghijklmnop';
const base = {
  issuer: 'bank-gateway',
  audience: 'bank-api',
  clockToleranceSeconds: 5,
  maxLifetimeSeconds: 24 * 3600,
};
const hsVerifierWith = (rules: Partial<typeof base>) =>
  createTokenVerifier({ ...base, ...rules, key: { kind: 'secret', secret: SECRET } });
const hsVerifier = hsVerifierWith({});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({
  sub: 'alice',
  roles: ['customer'],
  iss: 'bank-gateway',
  aud: 'bank-api',
  exp: now() + 60,
});

/** A customer token for alice signed with the right secret, its times `iat` (if given) and `exp`. */
const signed = (times: { iat?: number; exp: number }) => {
  const jwt = new SignJWT({ roles: ['customer'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuer(base.issuer)
    .setAudience(base.audience)
    .setExpirationTime(times.exp);
  if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
  return jwt.sign(new TextEncoder().encode(SECRET));
};

const refused = (promise: Promise<unknown>) => assert.rejects(promise, InvalidTokenError);

describe('HS256 verifier', () => {
  it('accepts a good token and reads sub and known roles', async () => {
    const token = await mintDevelopmentToken({
      sub: 'alice',
      roles: ['customer', 'teller'],
      secret: SECRET,
      issuer: 'bank-gateway',
      audience: 'bank-api',
    });
    assert.deepEqual(await hsVerifier.verify(token), {
      id: 'alice',
      roles: ['customer', 'teller'],
    });
  });

  it('refuses an expired token (beyond the clock tolerance)', async () => {
    const token = await mintDevelopmentToken({
      sub: 'alice',
      roles: ['customer'],
      secret: SECRET,
      issuer: 'bank-gateway',
      audience: 'bank-api',
      ttlSeconds: -60,
    });
    await refused(hsVerifier.verify(token));
  });

  it('tolerates a few seconds of clock skew', async () => {
    const token = await mintDevelopmentToken({
      sub: 'alice',
      roles: ['customer'],
      secret: SECRET,
      issuer: 'bank-gateway',
      audience: 'bank-api',
      ttlSeconds: -2,
    });
    assert.equal((await hsVerifier.verify(token)).id, 'alice');
  });

  it('remembers a verified token only until it expires', async () => {
    const strict = hsVerifierWith({ clockToleranceSeconds: 0 });
    const exp = now() + 1;
    const token = await signed({ exp });
    assert.equal((await strict.verify(token)).id, 'alice');
    assert.equal((await strict.verify(token)).id, 'alice');
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    await refused(strict.verify(token));
  });

  it('never lets a remembered token vouch for a tampered copy', async () => {
    const token = await signed({ exp: now() + 60 });
    assert.equal((await hsVerifier.verify(token)).id, 'alice');
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64({ ...claims(), sub: 'mallory', roles: ['admin'] })}.${signature}`;
    await refused(hsVerifier.verify(forged));
  });

  it('refuses alg none', async () => {
    await refused(hsVerifier.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`));
  });

  it('refuses a tampered payload', async () => {
    const token = await mintDevelopmentToken({
      sub: 'alice',
      roles: ['customer'],
      secret: SECRET,
      issuer: 'bank-gateway',
      audience: 'bank-api',
    });
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64({ ...claims(), roles: ['admin'] })}.${signature}`;
    await refused(hsVerifier.verify(forged));
  });

  it('refuses another secret, a wrong issuer, a wrong audience, a missing exp', async () => {
    const sign = (payload: Record<string, unknown>, secret = SECRET) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(secret));
    await refused(hsVerifier.verify(await sign(claims(), `${SECRET}-other`)));
    await refused(hsVerifier.verify(await sign({ ...claims(), iss: 'someone-else' })));
    await refused(hsVerifier.verify(await sign({ ...claims(), aud: 'other-api' })));
    const { exp: _exp, ...noExp } = claims();
    await refused(hsVerifier.verify(await sign(noExp)));
    const { roles: _roles, ...noRoles } = claims();
    await refused(hsVerifier.verify(await sign(noRoles)));
  });
});

describe('issue time and lifetime', () => {
  const HOUR = 3600;
  const refusedWith = (promise: Promise<unknown>, code: string, detail: RegExp) =>
    assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof InvalidTokenError);
      assert.equal(error.code, code);
      assert.match(error.message, detail);
      return true;
    });

  it('refuses an iat an hour or a year in the future', async () => {
    for (const ahead of [HOUR, 365 * 24 * HOUR]) {
      const token = await signed({ iat: now() + ahead, exp: now() + ahead + 60 });
      await refusedWith(hsVerifier.verify(token), 'TOKEN_ISSUED_IN_FUTURE', /in the future/);
    }
  });

  it('tolerates an iat ahead by less than the clock tolerance', async () => {
    const token = await signed({ iat: now() + 3, exp: now() + 60 });
    assert.equal((await hsVerifier.verify(token)).id, 'alice');
  });

  it('refuses a lifetime above the maximum, with or without iat', async () => {
    const long = await signed({ iat: now(), exp: now() + 24 * HOUR + 1 });
    await refusedWith(hsVerifier.verify(long), 'TOKEN_LIFETIME_TOO_LONG', /exp - iat.*86400 s/);
    // Issued long ago and still valid for a while: the lifetime counts from iat, not from now.
    const old = await signed({ iat: now() - 30 * 24 * HOUR, exp: now() + HOUR });
    await refusedWith(hsVerifier.verify(old), 'TOKEN_LIFETIME_TOO_LONG', /exp - iat/);
    const noIat = await signed({ exp: now() + 365 * 24 * HOUR });
    await refusedWith(hsVerifier.verify(noIat), 'TOKEN_LIFETIME_TOO_LONG', /exp - now/);
  });

  it('accepts a lifetime of exactly the maximum, and the development tokens', async () => {
    const day = await signed({ iat: now(), exp: now() + 24 * HOUR });
    assert.equal((await hsVerifier.verify(day)).id, 'alice');
    const noIat = await signed({ exp: now() + HOUR });
    assert.equal((await hsVerifier.verify(noIat)).id, 'alice');
    const development = await mintDevelopmentToken({
      sub: 'alice',
      roles: ['customer'],
      secret: SECRET,
      issuer: base.issuer,
      audience: base.audience,
    });
    assert.equal((await hsVerifier.verify(development)).id, 'alice');
  });

  it('follows the configured maximum', async () => {
    const strict = hsVerifierWith({ maxLifetimeSeconds: 600 });
    const token = await signed({ iat: now(), exp: now() + 601 });
    await refusedWith(strict.verify(token), 'TOKEN_LIFETIME_TOO_LONG', /at most 600 s/);
    assert.equal((await hsVerifier.verify(token)).id, 'alice');
  });
});

describe('public-key verifiers', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const rsVerifier = createTokenVerifier({
    ...base,
    key: { kind: 'public-key', pem: rsaPem, file: 'rsa.pem' },
  });

  it('RS256: accepts a token signed with the private key', async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256' })
      .sign(rsa.privateKey);
    assert.equal((await rsVerifier.verify(token)).id, 'alice');
    assert.deepEqual(rsVerifier.algorithms, ['RS256']);
  });

  it('RS256: refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64(claims());
    const signature = createHmac('sha256', rsaPem)
      .update(`${header}.${payload}`)
      .digest('base64url');
    await refused(rsVerifier.verify(`${header}.${payload}.${signature}`));
  });

  it('ES256: pinned by the key type', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const verifier = createTokenVerifier({
      ...base,
      key: { kind: 'public-key', pem, file: 'ec.pem' },
    });
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256' })
      .sign(ec.privateKey);
    assert.equal((await verifier.verify(token)).id, 'alice');
    assert.deepEqual(verifier.algorithms, ['ES256']);
    const rsToken = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256' })
      .sign(rsa.privateKey);
    await refused(verifier.verify(rsToken));
  });

  it('JWKS: picks the key by kid', async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const verifier = createTokenVerifier({
      ...base,
      key: { kind: 'jwks', jwks: { keys: [jwk] }, file: 'jwks.json' },
    });
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(rsa.privateKey);
    assert.equal((await verifier.verify(token)).id, 'alice');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(other.privateKey);
    await refused(verifier.verify(forged));
  });
});
