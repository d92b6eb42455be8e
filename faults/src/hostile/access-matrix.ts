import { randomUUID } from 'node:crypto';
import type { Findings } from '../check/findings.js';
import type { HostileFixtures } from './fixtures.js';
import { jsonHeaders, type Probe, type RawRequest } from './probe.js';

type Who = 'owner' | 'foreign' | 'teller' | 'admin';

interface Route {
  readonly name: string;
  /** Who may call it at all (the gateway's table); the others get 403, a foreign customer 403/404. */
  readonly allowed: readonly Who[];
  request(account: string, key: string): RawRequest & { readonly bodyJson?: unknown };
}

const HOLD = '00000000-0000-4000-8000-000000000001';

function routes(fx: HostileFixtures): Route[] {
  const post =
    (path: string, body: unknown) =>
    (key: string): RawRequest => ({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
  const get = (path: string): RawRequest => ({ method: 'GET', path });
  return [
    {
      name: 'GET account',
      allowed: ['owner', 'teller', 'admin'],
      request: (a) => get(`/v1/accounts/${a}`),
    },
    {
      name: 'GET transactions',
      allowed: ['owner', 'teller', 'admin'],
      request: (a) => get(`/v1/accounts/${a}/transactions`),
    },
    {
      name: 'GET statement',
      allowed: ['owner', 'teller', 'admin'],
      request: (a) => get(`/v1/accounts/${a}/statement?from=2020-01-01&to=2020-01-31`),
    },
    {
      name: 'GET holds',
      allowed: ['owner', 'teller', 'admin'],
      request: (a) => get(`/v1/accounts/${a}/holds`),
    },
    {
      name: 'GET hold',
      allowed: ['owner', 'teller', 'admin'],
      request: (a) => get(`/v1/accounts/${a}/holds/${HOLD}`),
    },
    {
      name: 'GET accounts by owner',
      allowed: ['owner', 'teller', 'admin'],
      request: (a) =>
        get(`/v1/accounts?ownerId=${a === fx.accountA ? fx.ownerA : 'nobody-at-all'}`),
    },
    {
      name: 'GET transfer',
      allowed: ['owner', 'teller', 'admin'],
      request: (a) => get(`/v1/transfers/${a === fx.accountA ? fx.transferAB : randomUUID()}`),
    },
    {
      name: 'GET transfer batch',
      allowed: ['owner', 'teller', 'admin'],
      request: (a) => get(`/v1/transfer-batches/${a === fx.accountA ? fx.batchA : randomUUID()}`),
    },
    {
      name: 'POST deposit',
      allowed: ['teller', 'admin'],
      request: (a, k) => post(`/v1/accounts/${a}/deposits`, { amount: '1.00' })(k),
    },
    {
      name: 'POST withdrawal',
      allowed: ['owner', 'teller', 'admin'],
      request: (a, k) => post(`/v1/accounts/${a}/withdrawals`, { amount: '1.00' })(k),
    },
    {
      name: 'POST hold',
      allowed: ['teller', 'admin'],
      request: (a, k) => post(`/v1/accounts/${a}/holds`, { amount: '1.00' })(k),
    },
    {
      name: 'POST capture',
      allowed: ['teller', 'admin'],
      request: (a, k) => post(`/v1/accounts/${a}/holds/${HOLD}/capture`, {})(k),
    },
    {
      name: 'POST release',
      allowed: ['teller', 'admin'],
      request: (a, k) => post(`/v1/accounts/${a}/holds/${HOLD}/release`, {})(k),
    },
    {
      name: 'POST freeze',
      allowed: ['admin'],
      request: (a, k) => post(`/v1/accounts/${a}/freeze`, { reason: 'matrix' })(k),
    },
    {
      name: 'POST unfreeze',
      allowed: ['admin'],
      request: (a, k) => post(`/v1/accounts/${a}/unfreeze`, {})(k),
    },
    {
      name: 'POST close',
      allowed: ['owner', 'admin'],
      request: (a, k) => post(`/v1/accounts/${a}/close`, {})(k),
    },
    {
      name: 'POST overdraft-limit',
      allowed: ['admin'],
      request: (a, k) => post(`/v1/accounts/${a}/overdraft-limit`, { overdraftLimit: '10.00' })(k),
    },
    {
      name: 'POST transfer',
      allowed: ['owner', 'teller', 'admin'],
      request: (a, k) =>
        post('/v1/transfers', {
          fromAccountId: a,
          toAccountId: a === fx.accountA ? fx.accountB : fx.accountA,
          amount: '0.01',
        })(k),
    },
    {
      name: 'POST transfer batch',
      allowed: ['owner', 'teller', 'admin'],
      request: (a, k) =>
        post('/v1/transfer-batches', {
          mode: 'atomic',
          transfers: [
            {
              fromAccountId: a,
              toAccountId: a === fx.accountA ? fx.accountB : fx.accountA,
              amount: '0.01',
            },
          ],
        })(k),
    },
  ];
}

/**
 * Every route × every role that may not call it × someone else's resource: a foreign customer
 * gets 404 (or 403 where the role can never call the route) and never a 2xx; a role outside the
 * route's table gets 403; neither changes anything. A foreign account's 404 must read exactly like
 * a missing account's, so that it does not reveal that the account exists.
 */
export async function runAccessMatrix(
  fx: HostileFixtures,
  probe: Probe,
  findings: Findings,
  runTag: string,
): Promise<number> {
  let sent = 0;
  const tokenOf: Record<Who, string> = {
    owner: fx.tokens.a,
    foreign: fx.tokens.b,
    teller: fx.tokens.teller,
    admin: fx.tokens.admin,
  };
  for (const route of routes(fx)) {
    for (const who of ['foreign', 'owner', 'teller'] as const) {
      if (who !== 'foreign' && route.allowed.includes(who)) continue;
      const request = route.request(fx.accountA, `${runTag}-matrix-${sent}`);
      const { status, body } = await probe.send(
        { ...request, headers: { ...jsonHeaders(tokenOf[who]), ...request.headers } },
        `access ${route.name} as ${who}`,
      );
      sent += 1;
      const expected =
        who === 'foreign' ? (route.allowed.includes('owner') ? [404] : [403, 404]) : [403];
      findings.check(
        expected.includes(status),
        () =>
          `access: ${route.name} on A's resource as ${who} → ${status} (expected ${expected.join('/')}): ${body.slice(0, 200)}`,
      );
      if (who === 'foreign' && status === 404 && route.name !== 'GET accounts by owner') {
        const missing = route.request(randomUUID(), `${runTag}-matrix-missing-${sent}`);
        const other = await probe.send(
          { ...missing, headers: { ...jsonHeaders(tokenOf[who]), ...missing.headers } },
          `access ${route.name} missing`,
        );
        sent += 1;
        findings.check(
          other.status === 404 && sameProblem(body, other.body),
          () =>
            `access: ${route.name}: someone else's resource and a missing one answer differently: ${body.slice(0, 200)} vs ${other.status} ${other.body.slice(0, 200)}`,
        );
      }
    }
  }
  return sent;
}

function sameProblem(a: string, b: string): boolean {
  try {
    const [x, y] = [
      JSON.parse(a) as Record<string, unknown>,
      JSON.parse(b) as Record<string, unknown>,
    ];
    return x['code'] === y['code'] && x['title'] === y['title'] && x['detail'] === y['detail'];
  } catch {
    return false;
  }
}
