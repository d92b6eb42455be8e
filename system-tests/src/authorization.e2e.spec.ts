import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signJwt } from '@bank/testkit';
import type { Account, AccountResult, Client, HoldResult, Problem } from './support/client.js';
import { startSystem, type System } from './support/system.js';

/**
 * Every route against every kind of caller, on the real services: the statuses of the gateway
 * contract (someone else's resource 404, a role that may never call the route 403, a bad token
 * 401), and refusals leave the event store and the balances exactly as they were.
 */

type Caller = 'owner' | 'foreign' | 'teller' | 'admin';
type BadToken = 'no token' | 'expired' | 'alg none' | 'wrong audience' | 'wrong signature';

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

interface RouteCase {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** Path and body for one caller (allowed callers may need their own target). */
  readonly request: (
    fixture: Fixture,
    caller: Caller,
  ) => { readonly path: string; readonly body?: unknown };
  readonly expected: Record<Caller, number>;
}

const ALL_STAFF = (owner: number, foreign: number, staff: number, admin = staff) => ({
  owner,
  foreign,
  teller: staff,
  admin,
});

const ROUTES: readonly RouteCase[] = [
  {
    name: 'open an account for alice',
    method: 'POST',
    request: () => ({ path: '/v1/accounts', body: { currency: 'USD', ownerId: 'alice' } }),
    expected: ALL_STAFF(201, 403, 201),
  },
  {
    name: 'open an account for alice with an overdraft (credit is for staff to grant)',
    method: 'POST',
    request: () => ({
      path: '/v1/accounts',
      body: { currency: 'USD', ownerId: 'alice', overdraftLimit: '10.00' },
    }),
    expected: ALL_STAFF(403, 403, 201),
  },
  {
    name: "list alice's accounts",
    method: 'GET',
    request: () => ({ path: '/v1/accounts?ownerId=alice' }),
    expected: ALL_STAFF(200, 404, 200),
  },
  {
    name: 'read an account',
    method: 'GET',
    request: (f) => ({ path: `/v1/accounts/${f.account}` }),
    expected: ALL_STAFF(200, 404, 200),
  },
  {
    name: 'deposit',
    method: 'POST',
    request: (f) => ({ path: `/v1/accounts/${f.account}/deposits`, body: { amount: '1.00' } }),
    expected: ALL_STAFF(403, 403, 200),
  },
  {
    name: 'withdraw',
    method: 'POST',
    request: (f) => ({ path: `/v1/accounts/${f.account}/withdrawals`, body: { amount: '1.00' } }),
    expected: ALL_STAFF(200, 404, 200),
  },
  {
    name: 'place a hold',
    method: 'POST',
    request: (f) => ({ path: `/v1/accounts/${f.account}/holds`, body: { amount: '1.00' } }),
    expected: ALL_STAFF(403, 403, 200),
  },
  {
    name: 'capture a hold',
    method: 'POST',
    request: (f, caller) => ({
      path: `/v1/accounts/${f.account}/holds/${f.holds.capture[caller === 'admin' ? 'admin' : 'teller']}/capture`,
      body: {},
    }),
    expected: ALL_STAFF(403, 403, 200),
  },
  {
    name: 'release a hold',
    method: 'POST',
    request: (f, caller) => ({
      path: `/v1/accounts/${f.account}/holds/${f.holds.release[caller === 'admin' ? 'admin' : 'teller']}/release`,
    }),
    expected: ALL_STAFF(403, 403, 200),
  },
  {
    name: 'freeze',
    method: 'POST',
    request: (f) => ({ path: `/v1/accounts/${f.statusAccount}/freeze`, body: { reason: 'audit' } }),
    expected: ALL_STAFF(403, 403, 403, 200),
  },
  {
    name: 'unfreeze',
    method: 'POST',
    request: (f) => ({ path: `/v1/accounts/${f.statusAccount}/unfreeze` }),
    expected: ALL_STAFF(403, 403, 403, 200),
  },
  {
    name: 'change the overdraft limit',
    method: 'POST',
    request: (f) => ({
      path: `/v1/accounts/${f.statusAccount}/overdraft-limit`,
      body: { overdraftLimit: '50.00' },
    }),
    expected: ALL_STAFF(403, 403, 403, 200),
  },
  {
    name: 'close',
    method: 'POST',
    request: (f, caller) => ({
      path: `/v1/accounts/${f.closable[caller === 'admin' ? 'admin' : 'owner']}/close`,
    }),
    expected: ALL_STAFF(200, 404, 403, 200),
  },
  {
    name: 'transfer',
    method: 'POST',
    request: (f) => ({
      path: '/v1/transfers',
      body: { fromAccountId: f.account, toAccountId: f.bobAccount, amount: '1.00' },
    }),
    expected: ALL_STAFF(201, 404, 201),
  },
  {
    name: 'read a transfer',
    method: 'GET',
    request: (f) => ({ path: `/v1/transfers/${f.transfer}` }),
    expected: ALL_STAFF(200, 404, 200),
  },
  {
    name: 'list transactions',
    method: 'GET',
    request: (f) => ({ path: `/v1/accounts/${f.account}/transactions?limit=5` }),
    expected: ALL_STAFF(200, 404, 200),
  },
  {
    name: 'statement',
    method: 'GET',
    request: (f) => ({
      path: `/v1/accounts/${f.account}/statement?from=2020-01-01&to=2020-12-31`,
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
  let clients: Record<Caller, Client>;
  let badClients: Record<BadToken, Client>;
  let fixture: Fixture;

  before(async () => {
    system = await startSystem('e2e_authz');
    const { stack } = system;
    clients = {
      owner: system.as('alice', ['customer']),
      foreign: system.as('mallory', ['customer']),
      teller: system.as('teller-1', ['teller']),
      admin: system.as('admin-1', ['admin']),
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
    const anonymous = system.anonymous();
    badClients = {
      'no token': anonymous,
      expired: anonymous.withToken(
        stack.mintToken('alice', ['customer', 'teller', 'admin'], { ttlSeconds: -3600 }),
      ),
      'alg none': anonymous.withToken(signJwt('', claims, { alg: 'none', typ: 'JWT' })),
      'wrong audience': anonymous.withToken(
        stack.mintToken('alice', ['customer', 'teller', 'admin'], { audience: 'another-api' }),
      ),
      'wrong signature': anonymous.withToken(signJwt('x'.repeat(32), claims)),
    };

    const { teller } = clients;
    const open = async (ownerId: string): Promise<string> =>
      (await teller.ok<AccountResult>('/v1/accounts', { currency: 'USD', ownerId })).account.id;
    const account = await open('alice');
    const bobAccount = await open('bob');
    await teller.ok(`/v1/accounts/${account}/deposits`, { amount: '100.00' });
    const hold = async (): Promise<string> =>
      (await teller.ok<HoldResult>(`/v1/accounts/${account}/holds`, { amount: '1.00' })).holdId;
    const transfer = await teller.ok<{ id: string }>('/v1/transfers', {
      fromAccountId: account,
      toAccountId: bobAccount,
      amount: '10.00',
    });
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
  after(() => system?.stop());

  const send = (client: Client, route: RouteCase, caller: Caller) => {
    const { path, body } = route.request(fixture, caller);
    return route.method === 'GET' ? client.get<Problem>(path) : client.post<Problem>(path, body);
  };

  /** Balances and event count, read fresh (the consistency token skips the gateway cache). */
  const snapshot = async () => {
    const head = await system.eventStoreHead();
    const read = (id: string) =>
      clients.admin.read<Account>(`/v1/accounts/${id}`, head.position.toString());
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
        const response = await send(badClients[bad], route, 'owner');
        assert.equal(response.status, 401, `${route.name} with ${bad}`);
        assert.match(response.headers.get('content-type') ?? '', PROBLEM_JSON);
        assert.equal(response.body.code, 'UNAUTHENTICATED', `${route.name} with ${bad}`);
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
        const response = await send(clients[caller], route, caller);
        assert.equal(response.status, expected, `${route.name} as ${caller}`);
        assert.match(response.headers.get('content-type') ?? '', PROBLEM_JSON);
        assert.equal(response.body.code, expected === 404 ? 'NOT_FOUND' : 'FORBIDDEN');
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
    for (const [foreignPath, missingPath] of [
      [`/v1/accounts/${fixture.account}`, `/v1/accounts/${missing}`],
      [`/v1/accounts/${fixture.account}/transactions`, `/v1/accounts/${missing}/transactions`],
      [`/v1/transfers/${fixture.transfer}`, `/v1/transfers/${missing}`],
    ] as const) {
      const foreign = await clients.foreign.get<Problem>(foreignPath);
      const absent = await clients.foreign.get<Problem>(missingPath);
      assert.equal(foreign.status, 404);
      assert.deepEqual(
        { ...foreign.body, instance: undefined },
        { ...absent.body, instance: undefined },
      );
    }
    const withdrawal = await clients.foreign.post<Problem>(
      `/v1/accounts/${fixture.account}/withdrawals`,
      { amount: '1.00' },
    );
    const missingWithdrawal = await clients.foreign.post<Problem>(
      `/v1/accounts/${missing}/withdrawals`,
      { amount: '1.00' },
    );
    assert.deepEqual(
      { ...withdrawal.body, instance: undefined },
      { ...missingWithdrawal.body, instance: undefined },
    );
  });

  it('lets every allowed caller through, with the effects they asked for', async () => {
    for (const route of ROUTES) {
      for (const caller of CALLERS) {
        const expected = route.expected[caller];
        if (expected >= 400) continue;
        const response = await send(clients[caller], route, caller);
        assert.equal(
          response.status,
          expected,
          `${route.name} as ${caller}: ${JSON.stringify(response.body)}`,
        );
      }
    }
    const head = await system.eventStoreHead();
    const account = await clients.owner.read<Account>(
      `/v1/accounts/${fixture.account}`,
      head.position.toString(),
    );
    // 100 deposited − 10 transferred in the set-up = 90; then 2 deposits (92), 3 withdrawals (89),
    // two 1.00 holds captured in full (87), 3 transfers (84); the two new holds stay open.
    assert.deepEqual(
      { balance: account.balance, held: account.held, available: account.available },
      { balance: '84.00', held: '2.00', available: '82.00' },
    );
    const status = await clients.owner.read<Account>(
      `/v1/accounts/${fixture.statusAccount}`,
      head.position.toString(),
    );
    assert.deepEqual(
      { status: status.status, overdraftLimit: status.overdraftLimit },
      { status: 'open', overdraftLimit: '50.00' },
    );
  });

  it('serves health, readiness and the API description to anyone', async () => {
    const anonymous = system.anonymous();
    for (const path of ['/healthz', '/readyz', '/openapi.json']) {
      const response = await anonymous.get(path);
      assert.equal(response.status, 200, path);
    }
  });
});
