import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { newKey, startHarness, type Harness } from './testing/harness.js';

/**
 * Malformed input on every POST route is a 4xx problem and never reaches an upstream.
 */

interface PostRoute {
  readonly url: (ids: { account: string; hold: string }) => string;
  readonly valid: Record<string, unknown>;
  /** Fields holding amounts: numbers and float-ish strings there are 400s. */
  readonly amountFields: readonly string[];
}

const ROUTES: readonly PostRoute[] = [
  {
    url: () => '/v1/accounts',
    valid: { currency: 'USD', overdraftLimit: '10.00' },
    amountFields: ['overdraftLimit'],
  },
  {
    url: (i) => `/v1/accounts/${i.account}/deposits`,
    valid: { amount: '1.00' },
    amountFields: ['amount'],
  },
  {
    url: (i) => `/v1/accounts/${i.account}/withdrawals`,
    valid: { amount: '1.00' },
    amountFields: ['amount'],
  },
  {
    url: (i) => `/v1/accounts/${i.account}/holds`,
    valid: { amount: '1.00', expiresAt: '2030-01-01T00:00:00Z' },
    amountFields: ['amount'],
  },
  {
    url: (i) => `/v1/accounts/${i.account}/holds/${i.hold}/capture`,
    valid: { amount: '1.00' },
    amountFields: ['amount'],
  },
  { url: (i) => `/v1/accounts/${i.account}/holds/${i.hold}/release`, valid: {}, amountFields: [] },
  { url: (i) => `/v1/accounts/${i.account}/freeze`, valid: { reason: 'x' }, amountFields: [] },
  { url: (i) => `/v1/accounts/${i.account}/unfreeze`, valid: {}, amountFields: [] },
  { url: (i) => `/v1/accounts/${i.account}/close`, valid: {}, amountFields: [] },
  {
    url: (i) => `/v1/accounts/${i.account}/overdraft-limit`,
    valid: { overdraftLimit: '5' },
    amountFields: ['overdraftLimit'],
  },
  {
    url: () => '/v1/transfers',
    valid: { fromAccountId: i0(), toAccountId: i0(), amount: '1.00', reference: 'rent' },
    amountFields: ['amount'],
  },
];

function i0(): string {
  return randomUUID();
}

const FLOATISH = [
  '1e3',
  '1E3',
  '-1.00',
  '+1',
  '1.',
  '.5',
  ' 1',
  '1 ',
  '0x10',
  '1,00',
  'NaN',
  'Infinity',
  '',
  '1.0001',
  '１',
];

describe('malformed input', () => {
  let h: Harness;
  const ids = { account: randomUUID(), hold: randomUUID() };
  before(async () => {
    h = await startHarness({
      env: { RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_IP_PER_MINUTE: '100000' },
    });
  });
  after(() => h.close());

  async function expectRefused(
    request: InjectOptions,
    status: number,
    code: string,
    label: string,
  ) {
    const before = h.bank.calls.length;
    const response = await h.as('adam', ['admin'])({
      ...request,
      headers: { 'idempotency-key': newKey(), ...(request.headers ?? {}) },
    });
    assert.equal(response.statusCode, status, `${label}: ${response.body}`);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/, label);
    const body = response.json<Record<string, unknown>>();
    assert.equal(body['code'], code, label);
    assert.equal(body['status'], status, label);
    assert.equal(typeof body['type'], 'string');
    assert.equal(body['stack'], undefined);
    assert.equal(h.bank.calls.length, before, `${label} reached an upstream`);
    return body;
  }

  for (const route of ROUTES) {
    const url = route.url(ids);
    const name = url.replace(ids.account, '{id}').replace(ids.hold, '{holdId}');
    it(`POST ${name}`, async () => {
      const json = { 'content-type': 'application/json' };
      await expectRefused(
        { method: 'POST', url, headers: json, payload: '{"amount": ' },
        400,
        'VALIDATION_FAILED',
        'bad JSON',
      );
      await expectRefused(
        { method: 'POST', url, headers: json, payload: '[]' },
        400,
        'VALIDATION_FAILED',
        'array body',
      );
      const unknown = await expectRefused(
        { method: 'POST', url, payload: { ...route.valid, extra: 'x' } },
        400,
        'VALIDATION_FAILED',
        'unknown field',
      );
      assert.equal(unknown['field'], 'extra');
      for (const field of Object.keys(route.valid)) {
        await expectRefused(
          { method: 'POST', url, payload: { ...route.valid, [field]: 5 } },
          400,
          'VALIDATION_FAILED',
          `${field} as number`,
        );
        await expectRefused(
          { method: 'POST', url, payload: { ...route.valid, [field]: { a: 1 } } },
          400,
          'VALIDATION_FAILED',
          `${field} as object`,
        );
      }
      for (const field of route.amountFields) {
        for (const amount of [12.34, 1000, 1e3]) {
          const body = await expectRefused(
            { method: 'POST', url, payload: { ...route.valid, [field]: amount } },
            400,
            'VALIDATION_FAILED',
            `number ${amount}`,
          );
          assert.equal(body['field'], field);
        }
        for (const amount of FLOATISH) {
          await expectRefused(
            { method: 'POST', url, payload: { ...route.valid, [field]: amount } },
            400,
            'VALIDATION_FAILED',
            `"${amount}"`,
          );
        }
      }
      const huge = JSON.stringify({ ...route.valid, padding: 'x'.repeat(20 * 1024) });
      await expectRefused(
        { method: 'POST', url, headers: json, payload: huge },
        413,
        'PAYLOAD_TOO_LARGE',
        'huge body',
      );
      await expectRefused(
        { method: 'POST', url, headers: { 'content-type': 'text/plain' }, payload: 'amount=1' },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'text/plain',
      );
      await expectRefused(
        { method: 'POST', url, headers: { 'idempotency-key': '' }, payload: route.valid },
        400,
        'VALIDATION_FAILED',
        'empty Idempotency-Key',
      );
    });
  }

  it('required fields, ids that are not UUIDs, currencies, query strings', async () => {
    await expectRefused(
      { method: 'POST', url: '/v1/accounts', payload: {} },
      400,
      'VALIDATION_FAILED',
      'no currency',
    );
    await expectRefused(
      { method: 'POST', url: '/v1/accounts', payload: { currency: 'XXX' } },
      400,
      'VALIDATION_FAILED',
      'currency',
    );
    await expectRefused(
      { method: 'POST', url: '/v1/accounts/not-a-uuid/deposits', payload: { amount: '1' } },
      400,
      'VALIDATION_FAILED',
      'id',
    );
    await expectRefused(
      {
        method: 'POST',
        url: '/v1/transfers',
        payload: { fromAccountId: 'x', toAccountId: randomUUID(), amount: '1' },
      },
      400,
      'VALIDATION_FAILED',
      'fromAccountId',
    );
    await expectRefused(
      { method: 'GET', url: `/v1/accounts/${ids.account}/transactions?limit=0` },
      400,
      'VALIDATION_FAILED',
      'limit 0',
    );
    await expectRefused(
      { method: 'GET', url: `/v1/accounts/${ids.account}/transactions?limit=201` },
      400,
      'VALIDATION_FAILED',
      'limit 201',
    );
    await expectRefused(
      { method: 'GET', url: `/v1/accounts/${ids.account}/transactions?type=bogus` },
      400,
      'VALIDATION_FAILED',
      'type',
    );
    await expectRefused(
      { method: 'GET', url: `/v1/accounts/${ids.account}/transactions?sneaky=1` },
      400,
      'VALIDATION_FAILED',
      'unknown query',
    );
    await expectRefused(
      { method: 'GET', url: `/v1/accounts/${ids.account}/statement?from=2024-13-01&to=2024-12-31` },
      400,
      'VALIDATION_FAILED',
      'date',
    );
    await expectRefused(
      { method: 'GET', url: `/v1/accounts/${ids.account}/statement?from=2024-02-01&to=2024-01-01` },
      400,
      'VALIDATION_FAILED',
      'from after to',
    );
    await expectRefused(
      { method: 'GET', url: '/v1/accounts' },
      400,
      'VALIDATION_FAILED',
      'staff list without ownerId',
    );
    await expectRefused(
      { method: 'GET', url: `/v1/accounts/${ids.account}?sneaky=1` },
      400,
      'VALIDATION_FAILED',
      'unknown query on a route with none',
    );
    for (const token of ['9223372036854775808', '18446744073709551615', '1'.repeat(25), '-1']) {
      const body = await expectRefused(
        {
          method: 'GET',
          url: `/v1/accounts/${ids.account}`,
          headers: { 'x-consistency-token': token },
        },
        400,
        'VALIDATION_FAILED',
        `consistency token ${token}`,
      );
      assert.match(String(body['detail']), /consistency-token/i, `consistency token ${token}`);
    }
  });

  it('JSON bodies that repeat a key or carry prototype keys, each said plainly', async () => {
    const raw = (payload: string) => ({
      method: 'POST' as const,
      url: `/v1/accounts/${ids.account}/deposits`,
      headers: { 'content-type': 'application/json' },
      payload,
    });
    const repeated = await expectRefused(
      raw('{"amount":"1.00","amount":"2.00"}'),
      400,
      'VALIDATION_FAILED',
      'a repeated key',
    );
    assert.match(String(repeated['detail']), /"amount" more than once/);
    const proto = await expectRefused(
      raw('{"amount":"1.00","__proto__":{"x":1}}'),
      400,
      'VALIDATION_FAILED',
      'a prototype key',
    );
    assert.match(String(proto['detail']), /forbidden property name/);
  });

  it('unknown routes are 404 problems, a wrong method on a known path a 405 with Allow', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/v2/nothing' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<{ code: string }>().code, 'NOT_FOUND');
    for (const [method, url, allow] of [
      ['DELETE', `/v1/accounts/${ids.account}`, 'GET, HEAD'],
      ['PUT', `/v1/accounts/${ids.account}/deposits`, 'POST'],
      ['GET', `/v1/accounts/${ids.account}/holds/${ids.hold}/capture`, 'POST'],
      ['PATCH', '/v1/transfers', 'POST'],
    ] as const) {
      const wrong = await h.as('adam', ['admin'])({ method, url });
      assert.equal(wrong.statusCode, 405, `${method} ${url}`);
      assert.match(String(wrong.headers['content-type']), /^application\/problem\+json/);
      assert.equal(wrong.json<{ code: string }>().code, 'METHOD_NOT_ALLOWED');
      assert.equal(wrong.headers['allow'], allow, `${method} ${url}`);
    }
    // A path that no route has (a trailing slash) is a 404, whatever the method.
    const slash = await h.as('adam', ['admin'])({
      method: 'GET',
      url: `/v1/accounts/${ids.account}/`,
    });
    assert.equal(slash.statusCode, 404);
  });
});
