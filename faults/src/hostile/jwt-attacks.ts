import { createHmac } from 'node:crypto';
import type { Findings } from '../check/findings.js';
import type { TokenIssuer } from '../infra/tokens.js';
import type { HostileFixtures } from './fixtures.js';
import { jsonHeaders, type Probe } from './probe.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Tokens an attacker can make: alg none, HS256 signed with the gateway's RS256 public key,
 * a stripped or re-used signature on changed claims, wrong aud/iss, expired beyond the skew,
 * issued in the future, living longer than the gateway's maximum (a day).
 * Every one must be a 401 on a read and on a write, and change nothing.
 */
export async function runJwtAttacks(
  fx: HostileFixtures,
  issuer: TokenIssuer,
  probe: Probe,
  findings: Findings,
): Promise<number> {
  const valid = await issuer.mint('hostile-teller', ['teller']);
  const [header, payload, signature] = valid.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  const adminClaims = { ...claims, roles: ['admin'] };
  const hs256 = (key: string, body: Record<string, unknown>): string => {
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(body)}`;
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
  };
  const attacks: Record<string, string> = {
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(adminClaims)}.`,
    'alg None': `${b64({ alg: 'None' })}.${b64(adminClaims)}.`,
    'HS256 signed with the RS256 public key': hs256(issuer.publicKeyPem, adminClaims),
    'HS256 signed with the public key, trimmed': hs256(issuer.publicKeyPem.trim(), adminClaims),
    'stripped signature': `${header}.${payload}.`,
    'no signature part': `${header}.${payload}`,
    'claims changed, signature kept': `${header}.${b64(adminClaims)}.${signature}`,
    'wrong audience': await issuer.mint('hostile-teller', ['teller'], { audience: 'someone-else' }),
    'wrong issuer': await issuer.mint('hostile-teller', ['teller'], { issuer: 'evil-issuer' }),
    'expired beyond the skew': await issuer.mint('hostile-teller', ['teller'], { ttlSeconds: -60 }),
    'issued an hour ahead': await issuer.mint('hostile-teller', ['teller'], {
      issuedInSeconds: 3600,
    }),
    'issued a year ahead': await issuer.mint('hostile-teller', ['teller'], {
      issuedInSeconds: 365 * 24 * 3600,
    }),
    'valid for a year': await issuer.mint('hostile-teller', ['teller'], {
      ttlSeconds: 365 * 24 * 3600,
    }),
    garbage: 'not.a.jwt',
    empty: '',
  };
  let sent = 0;
  for (const [name, token] of Object.entries(attacks)) {
    const requests = [
      {
        method: 'GET',
        path: `/v1/accounts/${fx.accountA}`,
        headers: { authorization: `Bearer ${token}` },
      },
      {
        method: 'GET',
        path: `/v1/accounts?ownerId=${fx.ownerA}`,
        headers: { authorization: `Bearer ${token}` },
      },
      {
        method: 'POST',
        path: `/v1/accounts/${fx.accountA}/deposits`,
        headers: jsonHeaders(token, {
          'idempotency-key': `jwt-${sent}-${name.replaceAll(' ', '-')}`,
        }),
        body: JSON.stringify({ amount: '5.00' }),
      },
    ];
    for (const request of requests) {
      const { status } = await probe.send(request, `jwt attack "${name}"`);
      sent += 1;
      findings.check(
        status === 401,
        () => `jwt attack "${name}": ${request.method} ${request.path} → ${status}, expected 401`,
      );
    }
  }
  const control = await probe.send(
    {
      method: 'GET',
      path: `/v1/accounts/${fx.accountA}`,
      headers: { authorization: `Bearer ${valid}` },
    },
    'jwt control',
  );
  findings.check(
    control.status === 200,
    () => `jwt control: a valid RS256 teller token got ${control.status}`,
  );
  return sent + 1;
}
