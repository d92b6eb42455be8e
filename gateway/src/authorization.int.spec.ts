import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { SignJWT } from 'jose';
import type { Role } from '@bank/platform';
import {
  newKey,
  startHarness,
  startServicesHarness,
  TEST_SECRET,
  type Harness,
  type ServicesHarness,
} from './testing/harness.js';

/**
 * Every route × caller → status. "own": alice (customer) on her resources; "foreign": alice on
 * bob's; teller and admin on alice's; "none": no token. Refusals (401, 403) never reach an
 * upstream; a foreign customer gets the same 404 as for a resource that does not exist.
 */

interface Fixture {
  account: string;
  emptyAccount: string;
  frozenAccount: string;
  holdId: string;
  transferId: string;
  owner: string;
  destination: string;
}

type Caller = 'own' | 'foreign' | 'teller' | 'admin' | 'none';

interface RouteCase {
  readonly name: string;
  readonly request: (f: Fixture) => InjectOptions;
  readonly expected: Record<Caller, number>;
}

const post = (url: string, payload?: object): InjectOptions => ({
  method: 'POST',
  url,
  headers: { 'idempotency-key': newKey() },
  ...(payload ? { payload } : {}),
});
const get = (url: string): InjectOptions => ({ method: 'GET', url });

const CASES: readonly RouteCase[] = [
  {
    name: 'POST /v1/accounts',
    request: (f) => post('/v1/accounts', { currency: 'USD', ownerId: f.owner }),
    expected: { own: 201, foreign: 403, teller: 201, admin: 201, none: 401 },
  },
  {
    name: 'GET /v1/accounts',
    request: (f) => get(`/v1/accounts?ownerId=${f.owner}`),
    expected: { own: 200, foreign: 404, teller: 200, admin: 200, none: 401 },
  },
  {
    name: 'GET /v1/accounts/{id}',
    request: (f) => get(`/v1/accounts/${f.account}`),
    expected: { own: 200, foreign: 404, teller: 200, admin: 200, none: 401 },
  },
  {
    name: 'POST /v1/accounts/{id}/deposits',
    request: (f) => post(`/v1/accounts/${f.account}/deposits`, { amount: '5.00' }),
    expected: { own: 403, foreign: 403, teller: 200, admin: 200, none: 401 },
  },
  {
    name: 'POST /v1/accounts/{id}/withdrawals',
    request: (f) => post(`/v1/accounts/${f.account}/withdrawals`, { amount: '5.00' }),
    expected: { own: 200, foreign: 404, teller: 200, admin: 200, none: 401 },
  },
  {
    name: 'POST /v1/accounts/{id}/holds',
    request: (f) => post(`/v1/accounts/${f.account}/holds`, { amount: '5.00' }),
    expected: { own: 403, foreign: 403, teller: 200, admin: 200, none: 401 },
  },
  {
    name: 'POST /v1/accounts/{id}/holds/{holdId}/capture',
    request: (f) => post(`/v1/accounts/${f.account}/holds/${f.holdId}/capture`, { amount: '1.00' }),
    expected: { own: 403, foreign: 403, teller: 200, admin: 200, none: 401 },
  },
  {
    name: 'POST /v1/accounts/{id}/holds/{holdId}/release',
    request: (f) => post(`/v1/accounts/${f.account}/holds/${f.holdId}/release`),
    expected: { own: 403, foreign: 403, teller: 200, admin: 200, none: 401 },
  },
  {
    name: 'POST /v1/accounts/{id}/freeze',
    request: (f) => post(`/v1/accounts/${f.account}/freeze`, { reason: 'audit' }),
    expected: { own: 403, foreign: 403, teller: 403, admin: 200, none: 401 },
  },
  {
    name: 'POST /v1/accounts/{id}/unfreeze',
    request: (f) => post(`/v1/accounts/${f.frozenAccount}/unfreeze`),
    expected: { own: 403, foreign: 403, teller: 403, admin: 200, none: 401 },
  },
  {
    name: 'POST /v1/accounts/{id}/close',
    request: (f) => post(`/v1/accounts/${f.emptyAccount}/close`),
    expected: { own: 200, foreign: 404, teller: 403, admin: 200, none: 401 },
  },
  {
    name: 'POST /v1/accounts/{id}/overdraft-limit',
    request: (f) => post(`/v1/accounts/${f.account}/overdraft-limit`, { overdraftLimit: '50.00' }),
    expected: { own: 403, foreign: 403, teller: 403, admin: 200, none: 401 },
  },
  {
    name: 'POST /v1/transfers',
    request: (f) =>
      post('/v1/transfers', {
        fromAccountId: f.account,
        toAccountId: f.destination,
        amount: '1.00',
      }),
    expected: { own: 201, foreign: 404, teller: 201, admin: 201, none: 401 },
  },
  {
    name: 'GET /v1/transfers/{id}',
    request: (f) => get(`/v1/transfers/${f.transferId}`),
    expected: { own: 200, foreign: 404, teller: 200, admin: 200, none: 401 },
  },
  {
    name: 'GET /v1/accounts/{id}/transactions',
    request: (f) => get(`/v1/accounts/${f.account}/transactions?limit=10`),
    expected: { own: 200, foreign: 404, teller: 200, admin: 200, none: 401 },
  },
  {
    name: 'GET /v1/accounts/{id}/statement',
    request: (f) => get(`/v1/accounts/${f.account}/statement?from=2020-01-01&to=2099-12-31`),
    expected: { own: 200, foreign: 404, teller: 200, admin: 200, none: 401 },
  },
];

const CALLERS: Record<Caller, { sub: string; roles: Role[] } | null> = {
  own: { sub: 'alice', roles: ['customer'] },
  foreign: { sub: 'alice', roles: ['customer'] },
  teller: { sub: 'tina', roles: ['teller'] },
  admin: { sub: 'adam', roles: ['admin'] },
  none: null,
};

describe('authorization matrix', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      env: { RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_IP_PER_MINUTE: '100000' },
    });
  });
  after(() => h.close());

  /** Fresh accounts for every cell, so one cell's command never changes another's outcome. */
  function fixture(owner: string): Fixture {
    const bank = h.bank;
    const account = bank.seedAccount({ ownerId: owner, balance: '100.00' });
    const emptyAccount = bank.seedAccount({ ownerId: owner });
    const frozenAccount = bank.seedAccount({ ownerId: owner });
    bank.seedFreeze(frozenAccount);
    const destination = bank.seedAccount({ ownerId: 'carol' });
    const holdId = bank.seedHold(account, '10.00');
    const transferId = bank.seedTransfer(account, destination, '2.00');
    return {
      account,
      emptyAccount,
      frozenAccount,
      holdId,
      transferId,
      owner,
      destination,
    };
  }

  for (const routeCase of CASES) {
    it(routeCase.name, async () => {
      for (const caller of Object.keys(CALLERS) as Caller[]) {
        const f = fixture(caller === 'foreign' ? 'bob' : 'alice');
        const who = CALLERS[caller];
        const request = routeCase.request(f);
        const callsBefore = h.bank.calls.length;
        const response = who
          ? await h.as(who.sub, who.roles)(request)
          : await h.app.inject(request);
        const expected = routeCase.expected[caller];
        assert.equal(
          response.statusCode,
          expected,
          `${routeCase.name} as ${caller}: ${response.body}`,
        );
        if (expected >= 400) {
          assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
          const problem = response.json<{ status: number; code: string; detail: string }>();
          assert.equal(problem.status, expected);
          if (expected === 403) {
            // A refusal names the role or the ownership rule that failed.
            assert.match(problem.detail, /^this operation is for the roles |^customers /);
          }
          const code = (
            { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' } as Record<number, string>
          )[expected];
          assert.equal(problem.code, code, `${routeCase.name} as ${caller}`);
        }
        if (expected === 401 || expected === 403) {
          assert.equal(
            h.bank.calls.length,
            callsBefore,
            `${routeCase.name} as ${caller} reached an upstream`,
          );
        }
      }
    });
  }

  it('reads for customers carry restrict_to_owner, staff reads do not; commands carry the actor', async () => {
    const f = fixture('alice');
    h.bank.reset();
    await h.as('alice', ['customer'])(get(`/v1/accounts/${f.account}`));
    await h.as('tina', ['teller'])(get(`/v1/accounts/${f.account}`));
    const [customerRead, tellerRead] = h.bank.callsOf('GetAccount');
    assert.equal(customerRead?.options?.restrictToOwner, 'alice');
    assert.equal(tellerRead?.options?.restrictToOwner, '');
    await h.as('alice', ['customer'])(
      post(`/v1/accounts/${f.account}/withdrawals`, { amount: '1.00' }),
    );
    assert.deepEqual(h.bank.callsOf('Withdraw')[0]?.actor, { id: 'alice', roles: ['customer'] });
  });

  it('refuses bad tokens with 401 problems', async () => {
    const good = await h.token('alice', ['customer']);
    const expired = await h.token('alice', ['customer'], -120);
    const [header, payload] = good.split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'alice', roles: ['admin'], iss: 'bank-gateway', aud: 'bank-api', exp: 9999999999 })).toString('base64url')}.${good.split('.')[2]}`;
    for (const authorization of [
      `Bearer ${expired}`,
      `Bearer ${none}`,
      `Bearer ${forged}`,
      'Bearer nonsense',
      `Basic ${good}`,
    ]) {
      const response = await h.app.inject({
        method: 'GET',
        url: '/v1/accounts',
        headers: { authorization },
      });
      assert.equal(response.statusCode, 401, authorization);
      assert.equal(response.json<{ code: string }>().code, 'UNAUTHENTICATED');
      assert.match(String(response.headers['www-authenticate']), /^Bearer/);
    }
  });

  it('refuses a token issued in the future or living too long, naming the reason', async () => {
    const f = fixture('alice');
    const now = Math.floor(Date.now() / 1000);
    const sign = (iat: number | undefined, exp: number) => {
      const jwt = new SignJWT({ roles: ['customer', 'teller', 'admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('alice')
        .setIssuer(h.config.jwtIssuer)
        .setAudience(h.config.jwtAudience)
        .setExpirationTime(exp);
      if (iat !== undefined) jwt.setIssuedAt(iat);
      return jwt.sign(new TextEncoder().encode(TEST_SECRET));
    };
    const year = 365 * 24 * 3600;
    const cases: [string, Promise<string>, string][] = [
      ['iat an hour ahead', sign(now + 3600, now + 7200), 'TOKEN_ISSUED_IN_FUTURE'],
      ['iat a year ahead', sign(now + year, now + year + 60), 'TOKEN_ISSUED_IN_FUTURE'],
      ['a year long', sign(now, now + year), 'TOKEN_LIFETIME_TOO_LONG'],
      ['a year long, no iat', sign(undefined, now + year), 'TOKEN_LIFETIME_TOO_LONG'],
    ];
    for (const [name, pending, code] of cases) {
      const authorization = `Bearer ${await pending}`;
      for (const request of [
        get(`/v1/accounts/${f.account}`),
        post(`/v1/accounts/${f.account}/deposits`, { amount: '5.00' }),
      ]) {
        const callsBefore = h.bank.calls.length;
        const response = await h.app.inject({
          ...request,
          headers: { ...request.headers, authorization },
        });
        assert.equal(response.statusCode, 401, `${name}: ${response.body}`);
        const problem = response.json<{ code: string; detail: string }>();
        assert.equal(problem.code, code, name);
        assert.match(
          problem.detail,
          code === 'TOKEN_ISSUED_IN_FUTURE' ? /future/ : /at most 86400 s/,
        );
        assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/);
        assert.equal(h.bank.calls.length, callsBefore, `${name} reached an upstream`);
      }
    }
    const day = await sign(now, now + 24 * 3600);
    const accepted = await h.app.inject({
      ...get(`/v1/accounts/${f.account}`),
      headers: { authorization: `Bearer ${day}` },
    });
    assert.equal(accepted.statusCode, 200, 'a token of exactly the maximum lifetime is accepted');
  });
});

/** What the real query service answers a customer about someone else's account. */
describe('authorization on the real services', () => {
  let h: ServicesHarness;
  before(async () => {
    h = await startServicesHarness();
  });
  after(() => h.close());

  it('a foreign account reads exactly like a missing one', async () => {
    const account = await h.seedAccount({ ownerId: 'bob', balance: '100.00' });
    const alice = h.as('alice', ['customer']);
    const foreign = await alice(get(`/v1/accounts/${account}`));
    const missing = await alice(get(`/v1/accounts/${randomUUID()}`));
    const strip = (body: string) => ({ ...JSON.parse(body), instance: undefined }) as unknown;
    assert.equal(foreign.statusCode, 404);
    assert.deepEqual(strip(foreign.body), strip(missing.body));
  });
});
