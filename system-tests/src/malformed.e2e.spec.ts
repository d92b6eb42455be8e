import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { AccountResult, ApiResponse, Client, HoldResult, Problem } from './support/client.js';
import { startSystem, type System } from './support/system.js';

/**
 * Every POST route with broken bodies: each is a 4xx problem (application/problem+json with a
 * `code`), never a 5xx, and the event store's head does not move.
 */

interface Targets {
  readonly account: string;
  readonly other: string;
  readonly hold: string;
}

interface PostRoute {
  readonly path: (targets: Targets) => string;
  /** A body the route accepts (so that only the broken part is wrong). */
  readonly valid: Record<string, unknown>;
  /** Fields that carry money. */
  readonly amounts: readonly string[];
}

const ROUTES: Record<string, PostRoute> = {
  'open account': {
    path: () => '/v1/accounts',
    valid: { currency: 'USD', ownerId: 'olga' },
    amounts: ['overdraftLimit'],
  },
  deposit: {
    path: (t) => `/v1/accounts/${t.account}/deposits`,
    valid: { amount: '1.00' },
    amounts: ['amount'],
  },
  withdrawal: {
    path: (t) => `/v1/accounts/${t.account}/withdrawals`,
    valid: { amount: '1.00' },
    amounts: ['amount'],
  },
  hold: {
    path: (t) => `/v1/accounts/${t.account}/holds`,
    valid: { amount: '1.00' },
    amounts: ['amount'],
  },
  capture: {
    path: (t) => `/v1/accounts/${t.account}/holds/${t.hold}/capture`,
    valid: { amount: '1.00' },
    amounts: ['amount'],
  },
  release: {
    path: (t) => `/v1/accounts/${t.account}/holds/${t.hold}/release`,
    valid: {},
    amounts: [],
  },
  freeze: {
    path: (t) => `/v1/accounts/${t.account}/freeze`,
    valid: { reason: 'audit' },
    amounts: [],
  },
  unfreeze: { path: (t) => `/v1/accounts/${t.account}/unfreeze`, valid: {}, amounts: [] },
  close: { path: (t) => `/v1/accounts/${t.account}/close`, valid: {}, amounts: [] },
  'overdraft limit': {
    path: (t) => `/v1/accounts/${t.account}/overdraft-limit`,
    valid: { overdraftLimit: '10.00' },
    amounts: ['overdraftLimit'],
  },
  transfer: {
    path: () => '/v1/transfers',
    valid: { fromAccountId: '', toAccountId: '', amount: '1.00', reference: 'r' },
    amounts: ['amount'],
  },
};

/** Amounts no USD account may accept: each must be a 4xx (400 at the gateway or the service). */
const BAD_AMOUNTS: readonly unknown[] = [
  10,
  10.5,
  0.1,
  1e21,
  '1.234',
  '1.001',
  '1e3',
  '1E3',
  '-1.00',
  '+1.00',
  '-0',
  ' 1.00',
  '1.00 ',
  '1.',
  '.5',
  '',
  '0x10',
  '1,00',
  'NaN',
  'Infinity',
  '１',
  '1'.padEnd(40, '0'),
  '9223372036854775808',
  '999999999999999999.99',
  '99999999999999999',
];

const WRONG_TYPES: readonly unknown[] = [12, true, null, {}, [], ['1.00']];

interface BadRequest {
  readonly what: string;
  readonly body: string;
  readonly contentType?: string;
  /** When only one status is right; any 4xx otherwise. */
  readonly status?: number;
}

function badRequests(route: PostRoute, targets: Targets): BadRequest[] {
  const valid = { ...route.valid };
  if ('fromAccountId' in valid) {
    valid['fromAccountId'] = targets.account;
    valid['toAccountId'] = targets.other;
  }
  const json = (body: unknown): string => JSON.stringify(body);
  const requests: BadRequest[] = [
    { what: 'truncated JSON', body: json(valid).slice(0, -1), status: 400 },
    { what: 'not JSON', body: "amount='1.00'", status: 400 },
    { what: 'trailing garbage', body: `${json(valid)}x`, status: 400 },
    { what: 'an array body', body: '[]', status: 400 },
    { what: 'a string body', body: '"1.00"', status: 400 },
    { what: 'a number body', body: '100', status: 400 },
    { what: 'an unknown field', body: json({ ...valid, unexpected: 'x' }), status: 400 },
    {
      what: 'a __proto__ field',
      body: `{"__proto__":{"admin":true}${Object.keys(valid).length > 0 ? ',' : ''}${json(valid).slice(1)}`,
      status: 400,
    },
    {
      what: 'an oversized body',
      body: json({ ...valid, padding: 'x'.repeat(20_000) }),
      status: 413,
    },
    {
      what: 'a text/plain body',
      body: json(valid),
      contentType: 'text/plain',
      status: 415,
    },
  ];
  for (const field of Object.keys(valid)) {
    for (const value of WRONG_TYPES) {
      requests.push({ what: `${field}: ${json(value)}`, body: json({ ...valid, [field]: value }) });
    }
  }
  for (const field of route.amounts) {
    for (const value of BAD_AMOUNTS) {
      requests.push({
        what: `${field}: ${json(value)}`,
        body: json({ ...valid, [field]: value }),
      });
    }
  }
  return requests;
}

describe('malformed requests on every POST route', () => {
  let system: System;
  let admin: Client;
  let targets: Targets;

  before(async () => {
    system = await startSystem('e2e_bad');
    admin = system.as('admin-1', ['admin']);
    const open = async (ownerId: string): Promise<string> =>
      (await admin.ok<AccountResult>('/v1/accounts', { currency: 'USD', ownerId })).account.id;
    const account = await open('olga');
    const other = await open('pavel');
    await admin.ok(`/v1/accounts/${account}/deposits`, { amount: '500.00' });
    const hold = await admin.ok<HoldResult>(`/v1/accounts/${account}/holds`, { amount: '5.00' });
    targets = { account, other, hold: hold.holdId };
  });
  after(() => system?.stop());

  for (const [name, route] of Object.entries(ROUTES)) {
    it(`${name}: every broken body is a 4xx problem and changes nothing`, async () => {
      const head = await system.eventStoreHead();
      const failures: string[] = [];
      for (const bad of badRequests(route, targets)) {
        const response: ApiResponse<Problem | undefined> = await admin.post(
          route.path(targets),
          undefined,
          { rawBody: bad.body, headers: { 'content-type': bad.contentType ?? 'application/json' } },
        );
        const problem = response.body;
        const contentType = response.headers.get('content-type') ?? '';
        const statusOk = response.status === (bad.status ?? 400);
        if (
          !statusOk ||
          !/^application\/problem\+json(;|$)/.test(contentType) ||
          typeof problem?.code !== 'string' ||
          problem.status !== response.status
        ) {
          failures.push(
            `${bad.what}: ${response.status} ${contentType} ${JSON.stringify(problem)}`,
          );
        }
      }
      assert.deepEqual(failures, []);
      assert.deepEqual(await system.eventStoreHead(), head, 'no event may be appended');
    });
  }

  it('still serves the accounts afterwards (nothing broke on the way)', async () => {
    const head = await system.eventStoreHead();
    const account = await admin.read<{ balance: string; held: string; status: string }>(
      `/v1/accounts/${targets.account}`,
      head.position.toString(),
    );
    assert.deepEqual(
      { balance: account.balance, held: account.held, status: account.status },
      { balance: '500.00', held: '5.00', status: 'open' },
    );
  });

  it('enforces exactly the per-request amount cap the OpenAPI document states', async () => {
    const caps = statedAmountCaps(
      (await system.anonymous().get<ServedDocument>('/openapi.json')).body,
    );
    const failures: string[] = [];
    // One currency of each exponent the document names: 2, 0 and 3 decimals.
    for (const currency of ['USD', 'JPY', 'BHD']) {
      const cap = caps.get(currency);
      assert.ok(cap, `the document states a cap for ${currency}`);
      const { account } = await admin.ok<AccountResult>('/v1/accounts', {
        currency,
        ownerId: 'olga',
      });
      const deposits = `/v1/accounts/${account.id}/deposits`;
      const above = await admin.post<Problem>(deposits, { amount: oneMinorUnitMore(cap) });
      if (above.status !== 400 || above.body.field !== 'amount')
        failures.push(
          `${currency} ${oneMinorUnitMore(cap)}: ${above.status} ${JSON.stringify(above.body)}`,
        );
      const at = await admin.post<AccountResult>(deposits, { amount: cap });
      if (at.status !== 200 || at.body.account.balance !== cap)
        failures.push(`${currency} ${cap}: ${at.status} ${JSON.stringify(at.body)}`);
    }
    assert.deepEqual(failures, []);
  });
});

interface ServedDocument {
  readonly components: {
    readonly schemas: {
      readonly Amount: { readonly description: string };
      readonly Currency: { readonly enum: readonly string[] };
    };
  };
}

/** "… 10000000000000.00 in USD, EUR; 1000000000000000 in JPY …" → each currency's cap. */
function statedAmountCaps(document: ServedDocument): Map<string, string> {
  const { Amount, Currency } = document.components.schemas;
  const caps = new Map<string, string>();
  for (const [, cap, list] of Amount.description.matchAll(/([0-9]+(?:\.[0-9]+)?) in ([A-Z, ]+)/g))
    for (const currency of (list ?? '').split(', ')) caps.set(currency, cap ?? '');
  assert.deepEqual([...caps.keys()].sort(), [...Currency.enum].sort(), 'a cap for every currency');
  return caps;
}

/** The decimal string one minor unit above `amount`, in the same decimals (no float). */
function oneMinorUnitMore(amount: string): string {
  const decimals = amount.split('.')[1]?.length ?? 0;
  const digits = (BigInt(amount.replace('.', '')) + 1n).toString();
  return decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
