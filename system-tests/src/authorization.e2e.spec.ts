import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after as afterAll, before, describe, it } from 'node:test';
import { signJwt } from '@bank/testkit';
import { after, command, createApi, ok, type Api, type Schemas } from './support/api.js';
import { startSystem, type System } from './support/system.js';

/**
 * Every route against every kind of caller, on the real services: the statuses of the gateway
 * contract (someone else's resource 404, a role that may never call the route 403, a bad token
 * 401), and refusals leave the event store and the balances exactly as they were. Every call
 * goes through the client typed from the gateway's own OpenAPI document.
 */

type Caller = 'owner' | 'foreign' | 'teller' | 'admin';
type BadToken = 'no token' | 'expired' | 'alg none' | 'wrong audience' | 'wrong signature';

type Account = Schemas['Account'];
type Problem = Schemas['Problem'];

interface Fixture {
  /** Alice's funded account, with open holds for the staff to capture and release. */
  readonly account: string;
  /** Bob's account: transfer destination. */
  readonly bobAccount: string;
  /** Alice's account for freeze, unfreeze and the overdraft limit. */
  readonly statusAccount: string;
  /** Alice's empty accounts, one to close per allowed caller. */
  readonly closable: Record<'owner' | 'admin', string>;
  readonly holds: Record<'capture' | 'release', Record<'teller' | 'admin', string>>;
  readonly transfer: string;
}

/** What the checks read of an answer, whichever operation it came from. */
interface Answer {
  readonly response: Response;
  readonly data?: unknown;
  readonly error?: Problem;
}

interface RouteCase {
  readonly name: string;
  /** The operation as `api` calls it (allowed callers may need their own target). */
  readonly send: (api: Api, fixture: Fixture, caller: Caller) => Promise<Answer>;
  readonly expected: Record<Caller, number>;
}

const ALL_STAFF = (owner: number, foreign: number, staff: number, admin = staff) => ({
  owner,
  foreign,
  teller: staff,
  admin,
});

/** The params of a command on account `id`: its path and a fresh Idempotency-Key. */
const onAccount = (id: string) => ({ path: { id }, header: command() });

/** The params of a command on one of the fixture's holds (the admin has holds of its own). */
const onHold = (f: Fixture, holds: Record<'teller' | 'admin', string>, caller: Caller) => ({
  path: { id: f.account, holdId: holds[caller === 'admin' ? 'admin' : 'teller'] },
  header: command(),
});

const ROUTES: readonly RouteCase[] = [
  {
    name: 'open an account for alice',
    send: (api) =>
      api.POST('/v1/accounts', {
        params: { header: command() },
        body: { currency: 'USD', ownerId: 'alice' },
      }),
    expected: ALL_STAFF(201, 403, 201),
  },
  {
    name: 'open an account for alice with an overdraft (credit is for staff to grant)',
    send: (api) =>
      api.POST('/v1/accounts', {
        params: { header: command() },
        body: { currency: 'USD', ownerId: 'alice', overdraftLimit: '10.00' },
      }),
    expected: ALL_STAFF(403, 403, 201),
  },
  {
    name: "list alice's accounts",
    send: (api) => api.GET('/v1/accounts', { params: { query: { ownerId: 'alice' } } }),
    expected: ALL_STAFF(200, 404, 200),
  },
  {
    name: 'read an account',
    send: (api, f) => api.GET('/v1/accounts/{id}', { params: { path: { id: f.account } } }),
    expected: ALL_STAFF(200, 404, 200),
  },
  {
    name: 'deposit',
    send: (api, f) =>
      api.POST('/v1/accounts/{id}/deposits', {
        params: onAccount(f.account),
        body: { amount: '1.00' },
      }),
    expected: ALL_STAFF(403, 403, 200),
  },
  {
    name: 'withdraw',
    send: (api, f) =>
      api.POST('/v1/accounts/{id}/withdrawals', {
        params: onAccount(f.account),
        body: { amount: '1.00' },
      }),
    expected: ALL_STAFF(200, 404, 200),
  },
  {
    name: 'place a hold',
    send: (api, f) =>
      api.POST('/v1/accounts/{id}/holds', {
        params: onAccount(f.account),
        body: { amount: '1.00' },
      }),
    expected: ALL_STAFF(403, 403, 200),
  },
  {
    name: 'capture a hold',
    send: (api, f, caller) =>
      api.POST('/v1/accounts/{id}/holds/{holdId}/capture', {
        params: onHold(f, f.holds.capture, caller),
        body: {},
      }),
    expected: ALL_STAFF(403, 403, 200),
  },
  {
    name: 'release a hold',
    send: (api, f, caller) =>
      api.POST('/v1/accounts/{id}/holds/{holdId}/release', {
        params: onHold(f, f.holds.release, caller),
      }),
    expected: ALL_STAFF(403, 403, 200),
  },
  {
    name: 'freeze',
    send: (api, f) =>
      api.POST('/v1/accounts/{id}/freeze', {
        params: onAccount(f.statusAccount),
        body: { reason: 'audit' },
      }),
    expected: ALL_STAFF(403, 403, 403, 200),
  },
  {
    name: 'unfreeze',
    send: (api, f) =>
      api.POST('/v1/accounts/{id}/unfreeze', { params: onAccount(f.statusAccount) }),
    expected: ALL_STAFF(403, 403, 403, 200),
  },
  {
    name: 'change the overdraft limit',
    send: (api, f) =>
      api.POST('/v1/accounts/{id}/overdraft-limit', {
        params: onAccount(f.statusAccount),
        body: { overdraftLimit: '50.00' },
      }),
    expected: ALL_STAFF(403, 403, 403, 200),
  },
  {
    name: 'close',
    send: (api, f, caller) =>
      api.POST('/v1/accounts/{id}/close', {
        params: onAccount(f.closable[caller === 'admin' ? 'admin' : 'owner']),
      }),
    expected: ALL_STAFF(200, 404, 403, 200),
  },
  {
    name: 'transfer',
    send: (api, f) =>
      api.POST('/v1/transfers', {
        params: { header: command() },
        body: { fromAccountId: f.account, toAccountId: f.bobAccount, amount: '1.00' },
      }),
    expected: ALL_STAFF(201, 404, 201),
  },
  {
    name: 'read a transfer',
    send: (api, f) => api.GET('/v1/transfers/{id}', { params: { path: { id: f.transfer } } }),
    expected: ALL_STAFF(200, 404, 200),
  },
  {
    name: 'list transactions',
    send: (api, f) =>
      api.GET('/v1/accounts/{id}/transactions', {
        params: { path: { id: f.account }, query: { limit: '5' } },
      }),
    expected: ALL_STAFF(200, 404, 200),
  },
  {
    name: 'statement',
    send: (api, f) =>
      api.GET('/v1/accounts/{id}/statement', {
        params: { path: { id: f.account }, query: { from: '2020-01-01', to: '2020-12-31' } },
      }),
    expected: ALL_STAFF(200, 404, 200),
  },
];

const PROBLEM_JSON = /^application\/problem\+json(;|$)/;

const CALLERS: readonly Caller[] = ['owner', 'foreign', 'teller', 'admin'];
const BAD_TOKENS: readonly BadToken[] = [
  'no token',
  'expired',
  'alg none',
  'wrong audience',
  'wrong signature',
];

describe('authorization of every route for every caller', () => {
  let system: System;
  let apis: Record<Caller, Api>;
  let badApis: Record<BadToken, Api>;
  let fixture: Fixture;

  before(async () => {
    system = await startSystem('e2e_authz');
    const { stack } = system;
    apis = {
      owner: system.api('alice', ['customer']),
      foreign: system.api('mallory', ['customer']),
      teller: system.api('teller-1', ['teller']),
      admin: system.api('admin-1', ['admin']),
    };
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: 'alice',
      roles: ['customer', 'teller', 'admin'],
      iss: 'bank-gateway',
      aud: 'bank-api',
      iat: now,
      exp: now + 600,
    };
    const withToken = (token: string | undefined) => createApi(stack.gatewayUrl, token);
    badApis = {
      'no token': withToken(undefined),
      expired: withToken(
        stack.mintToken('alice', ['customer', 'teller', 'admin'], { ttlSeconds: -3600 }),
      ),
      'alg none': withToken(signJwt('', claims, { alg: 'none', typ: 'JWT' })),
      'wrong audience': withToken(
        stack.mintToken('alice', ['customer', 'teller', 'admin'], { audience: 'another-api' }),
      ),
      'wrong signature': withToken(signJwt('x'.repeat(32), claims)),
    };

    const { teller } = apis;
    const open = async (ownerId: string): Promise<string> =>
      (
        await ok(
          teller.POST('/v1/accounts', {
            params: { header: command() },
            body: { currency: 'USD', ownerId },
          }),
        )
      ).account.id;
    const account = await open('alice');
    const bobAccount = await open('bob');
    await ok(
      teller.POST('/v1/accounts/{id}/deposits', {
        params: onAccount(account),
        body: { amount: '100.00' },
      }),
    );
    const hold = async (): Promise<string> =>
      (
        await ok(
          teller.POST('/v1/accounts/{id}/holds', {
            params: onAccount(account),
            body: { amount: '1.00' },
          }),
        )
      ).holdId;
    const transfer = await ok(
      teller.POST('/v1/transfers', {
        params: { header: command() },
        body: { fromAccountId: account, toAccountId: bobAccount, amount: '10.00' },
      }),
    );
    fixture = {
      account,
      bobAccount,
      statusAccount: await open('alice'),
      closable: { owner: await open('alice'), admin: await open('alice') },
      holds: {
        capture: { teller: await hold(), admin: await hold() },
        release: { teller: await hold(), admin: await hold() },
      },
      transfer: transfer.id,
    };
  });
  afterAll(() => system?.stop());

  /** The account as `who` reads it, including every write up to `position`. */
  const readAccount = (who: Api, id: string, position: string): Promise<Account> =>
    ok(who.GET('/v1/accounts/{id}', { params: { path: { id }, header: after(position) } }));

  /** Balances and event count, read fresh (the consistency token skips the gateway cache). */
  const snapshot = async () => {
    const head = await system.eventStoreHead();
    const read = (id: string) => readAccount(apis.admin, id, head.position.toString());
    const accounts = await Promise.all(
      [fixture.account, fixture.bobAccount, fixture.statusAccount].map(read),
    );
    return {
      events: head.count,
      accounts: accounts.map(({ id, balance, available, held, status, overdraftLimit }) => ({
        id,
        balance,
        available,
        held,
        status,
        overdraftLimit,
      })),
    };
  };

  it('refuses bad tokens on every route with 401 and changes nothing', async () => {
    const before = await snapshot();
    for (const route of ROUTES) {
      for (const bad of BAD_TOKENS) {
        const { response, error } = await route.send(badApis[bad], fixture, 'owner');
        assert.equal(response.status, 401, `${route.name} with ${bad}`);
        assert.match(response.headers.get('content-type') ?? '', PROBLEM_JSON);
        assert.equal(error?.code, 'UNAUTHENTICATED', `${route.name} with ${bad}`);
      }
    }
    assert.deepEqual(await snapshot(), before);
  });

  it("refuses customers someone else's resources (404) and roles that may never call (403)", async () => {
    const before = await snapshot();
    for (const route of ROUTES) {
      for (const caller of CALLERS) {
        const expected = route.expected[caller];
        if (expected < 400) continue;
        const head = await system.eventStoreHead();
        const { response, error } = await route.send(apis[caller], fixture, caller);
        assert.equal(response.status, expected, `${route.name} as ${caller}`);
        assert.match(response.headers.get('content-type') ?? '', PROBLEM_JSON);
        assert.equal(error?.code, expected === 404 ? 'NOT_FOUND' : 'FORBIDDEN');
        assert.deepEqual(
          await system.eventStoreHead(),
          head,
          `${route.name} as ${caller} appended events`,
        );
      }
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('answers a foreign account exactly like a missing one (nothing tells it exists)', async () => {
    const missing = randomUUID();
    const { foreign } = apis;
    const reads: readonly (readonly [string, (id: string) => Promise<Answer>])[] = [
      [fixture.account, (id) => foreign.GET('/v1/accounts/{id}', { params: { path: { id } } })],
      [
        fixture.account,
        (id) => foreign.GET('/v1/accounts/{id}/transactions', { params: { path: { id } } }),
      ],
      [fixture.transfer, (id) => foreign.GET('/v1/transfers/{id}', { params: { path: { id } } })],
    ];
    for (const [id, read] of reads) {
      const found = await read(id);
      const absent = await read(missing);
      assert.equal(found.response.status, 404);
      assert.deepEqual(
        { ...found.error, instance: undefined },
        { ...absent.error, instance: undefined },
      );
    }
    const withdraw = (id: string) =>
      foreign.POST('/v1/accounts/{id}/withdrawals', {
        params: onAccount(id),
        body: { amount: '1.00' },
      });
    const withdrawal = await withdraw(fixture.account);
    const missingWithdrawal = await withdraw(missing);
    assert.deepEqual(
      { ...withdrawal.error, instance: undefined },
      { ...missingWithdrawal.error, instance: undefined },
    );
  });

  it('lets every allowed caller through, with the effects they asked for', async () => {
    for (const route of ROUTES) {
      for (const caller of CALLERS) {
        const expected = route.expected[caller];
        if (expected >= 400) continue;
        const { response, data, error } = await route.send(apis[caller], fixture, caller);
        assert.equal(
          response.status,
          expected,
          `${route.name} as ${caller}: ${JSON.stringify(data ?? error)}`,
        );
      }
    }
    const head = (await system.eventStoreHead()).position.toString();
    const account = await readAccount(apis.owner, fixture.account, head);
    // 100 deposited − 10 transferred in the set-up = 90; then 2 deposits (92), 3 withdrawals (89),
    // two 1.00 holds captured in full (87), 3 transfers (84); the two new holds stay open.
    assert.deepEqual(
      { balance: account.balance, held: account.held, available: account.available },
      { balance: '84.00', held: '2.00', available: '82.00' },
    );
    const status = await readAccount(apis.owner, fixture.statusAccount, head);
    assert.deepEqual(
      { status: status.status, overdraftLimit: status.overdraftLimit },
      { status: 'open', overdraftLimit: '50.00' },
    );
  });

  it('serves health, readiness and the API description to anyone', async () => {
    const anonymous = createApi(system.stack.gatewayUrl, undefined);
    assert.equal((await anonymous.GET('/healthz')).response.status, 200, '/healthz');
    assert.equal((await anonymous.GET('/readyz')).response.status, 200, '/readyz');
    // The document does not describe itself: /openapi.json is fetched by hand.
    const document = await system.anonymous().get('/openapi.json');
    assert.equal(document.status, 200, '/openapi.json');
  });
});
