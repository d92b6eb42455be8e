import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import {
  newKey,
  startHarness,
  startServicesHarness,
  type Gateway,
  type Harness,
  type ServicesHarness,
} from './testing/harness.js';

type Roles = ('customer' | 'teller' | 'admin')[];

/** A POST with a fresh Idempotency-Key as (sub, roles), on the gateway the describe started. */
const postAs =
  (gateway: () => Gateway) =>
  (sub: string, roles: Roles, url: string, payload: object = {}) => {
    const headers = { 'idempotency-key': newKey() };
    return gateway().as(sub, roles)({ method: 'POST', url, headers, payload });
  };

/** The happy paths: what each route sends upstream and the JSON shape it answers. */
describe('routes', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const post = postAs(() => h);
  const get = (sub: string, roles: Roles, url: string) => h.as(sub, roles)({ method: 'GET', url });

  it('opens, funds, holds, captures, releases, transfers and reads back', async () => {
    const opened = await post('tina', ['teller'], '/v1/accounts', {
      currency: 'EUR',
      type: 'savings',
      overdraftLimit: '5.00',
      ownerId: 'alice',
    });
    assert.equal(opened.statusCode, 201);
    const { account, position } = opened.json<{
      account: Record<string, string>;
      position: string;
    }>();
    assert.deepEqual(Object.keys(account).sort(), [
      'available',
      'balance',
      'currency',
      'held',
      'id',
      'overdraftLimit',
      'ownerId',
      'revision',
      'status',
      'type',
    ]);
    assert.equal(account['ownerId'], 'alice');
    assert.equal(account['type'], 'savings');
    assert.equal(account['overdraftLimit'], '5.00');
    assert.match(position, /^[0-9]+$/);
    const id = String(account['id']);
    const openCall = h.bank.callsOf('OpenAccount').at(-1)?.request as Record<string, unknown>;
    assert.equal(openCall['overdraftLimit'], '5.00', 'amounts pass through as strings');

    const deposited = await post('tina', ['teller'], `/v1/accounts/${id}/deposits`, {
      amount: '100.10',
    });
    assert.equal(deposited.statusCode, 200);
    assert.equal(deposited.json<{ account: { balance: string } }>().account.balance, '100.10');

    const tooPrecise = await post('tina', ['teller'], `/v1/accounts/${id}/deposits`, {
      amount: '1.001',
    });
    assert.equal(tooPrecise.statusCode, 400, 'the command service applies the currency precision');
    assert.equal(tooPrecise.json<{ field: string }>().field, 'amount');

    const hold = await post('tina', ['teller'], `/v1/accounts/${id}/holds`, {
      amount: '10.00',
      expiresAt: '2030-01-01T00:00:00Z',
    });
    assert.equal(hold.statusCode, 200);
    const { holdId } = hold.json<{
      holdId: string;
      account: { held: string; available: string };
    }>();
    assert.equal(hold.json<{ account: { held: string } }>().account.held, '10.00');
    const captured = await post('tina', ['teller'], `/v1/accounts/${id}/holds/${holdId}/capture`, {
      amount: '4.00',
    });
    assert.equal(captured.statusCode, 200);
    const capture = captured.json<{
      account: { balance: string; held: string };
      released: string;
    }>();
    assert.deepEqual(
      { balance: capture.account.balance, held: capture.account.held, released: capture.released },
      { balance: '96.10', held: '0.00', released: '6.00' },
    );
    const hold2 = await post('tina', ['teller'], `/v1/accounts/${id}/holds`, { amount: '1.00' });
    const released = await h.as('tina', ['teller'])({
      method: 'POST',
      url: `/v1/accounts/${id}/holds/${hold2.json<{ holdId: string }>().holdId}/release`,
      headers: { 'idempotency-key': newKey() },
    });
    assert.equal(released.statusCode, 200, released.body);
    assert.equal(released.json<{ account: { held: string } }>().account.held, '0.00');

    const bobs = await post('tina', ['teller'], '/v1/accounts', {
      currency: 'EUR',
      ownerId: 'bob',
    });
    const bobId = bobs.json<{ account: { id: string } }>().account.id;
    const transfer = await post('alice', ['customer'], '/v1/transfers', {
      fromAccountId: id,
      toAccountId: bobId,
      amount: '6.10',
      reference: 'rent',
    });
    assert.equal(transfer.statusCode, 201);
    const result = transfer.json<Record<string, string>>();
    assert.deepEqual(Object.keys(result).sort(), [
      'amount',
      'currency',
      'id',
      'position',
      'status',
    ]);
    assert.equal(result['status'], 'completed');

    const read = await get('bob', ['customer'], `/v1/transfers/${result['id']}`);
    assert.equal(read.statusCode, 200, 'the destination owner sees the transfer too');
    const transferView = read.json<{
      history: { status: string }[];
      reference: string;
      fromAccountId: string;
    }>();
    assert.equal(transferView.reference, 'rent');
    assert.equal(transferView.fromAccountId, id);
    assert.deepEqual(
      transferView.history.map((c) => c.status),
      ['requested', 'source_debited', 'destination_credited', 'completed'],
    );

    const list = await get('alice', ['customer'], '/v1/accounts');
    assert.deepEqual(
      list.json<{ accounts: { id: string }[] }>().accounts.map((a) => a.id),
      [id],
    );
    const staffList = await get('tina', ['teller'], '/v1/accounts?ownerId=bob');
    assert.equal(staffList.json<{ accounts: unknown[] }>().accounts.length, 1);

    const page = await get(
      'alice',
      ['customer'],
      `/v1/accounts/${id}/transactions?limit=2&type=deposit,transfer_out,hold_capture`,
    );
    assert.equal(page.statusCode, 200);
    const body = page.json<{ entries: Record<string, string>[]; nextCursor: string | null }>();
    assert.equal(body.entries.length, 2);
    assert.equal(body.entries[0]?.['type'], 'transfer_out');
    assert.equal(body.entries[0]?.['amount'], '-6.10');
    assert.equal(body.entries[0]?.['counterpartyAccountId'], bobId);
    assert.equal(typeof body.nextCursor, 'string');
    const last = await get(
      'alice',
      ['customer'],
      `/v1/accounts/${id}/transactions?limit=2&cursor=${body.nextCursor}`,
    );
    assert.equal(last.json<{ nextCursor: string | null }>().nextCursor, null);
    const listCall = h.bank.callsOf('ListTransactions')[0]?.request as {
      limit: number;
      types: string[];
    };
    assert.equal(listCall.limit, 2);
    assert.deepEqual(listCall.types, ['deposit', 'transfer_out', 'hold_capture']);

    const today = new Date().toISOString().slice(0, 10);
    const statement = await get(
      'alice',
      ['customer'],
      `/v1/accounts/${id}/statement?from=${today}&to=${today}`,
    );
    assert.equal(statement.statusCode, 200);
    const s = statement.json<Record<string, unknown>>();
    assert.equal(s['openingBalance'], '0.00');
    assert.equal(s['closingBalance'], '90.00');
    assert.equal(s['totalIn'], '100.10');
    assert.equal(s['totalOut'], '10.10');
  });

  it('publishes OpenAPI 3.1 for every route, Swagger UI, health and metrics', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    }>();
    assert.equal(doc.openapi, '3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    for (const expected of [
      'POST /v1/accounts',
      'GET /v1/accounts',
      'GET /v1/accounts/{id}',
      'POST /v1/accounts/{id}/deposits',
      'POST /v1/accounts/{id}/withdrawals',
      'POST /v1/accounts/{id}/holds',
      'POST /v1/accounts/{id}/holds/{holdId}/capture',
      'POST /v1/accounts/{id}/holds/{holdId}/release',
      'POST /v1/accounts/{id}/freeze',
      'POST /v1/accounts/{id}/unfreeze',
      'POST /v1/accounts/{id}/close',
      'POST /v1/transfers',
      'GET /v1/transfers/{id}',
      'GET /v1/accounts/{id}/transactions',
      'GET /v1/accounts/{id}/statement',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
    ]) {
      assert.ok(operations.includes(expected), expected);
    }
    for (const name of ['Account', 'Problem', 'TransferResult', 'Statement', 'TransactionPage']) {
      assert.ok(doc.components.schemas[name], name);
    }
    assert.ok(doc.paths['/v1/transfers']?.['post']?.responses['201']);
    assert.equal((await h.app.inject({ method: 'GET', url: '/docs/' })).statusCode, 200);
    assert.deepEqual((await h.app.inject({ method: 'GET', url: '/healthz' })).json(), {
      status: 'ok',
      node: process.version,
    });
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const name of [
      'gateway_http_requests_total',
      'gateway_http_request_duration_seconds',
      'gateway_cache_requests_total',
      'gateway_rate_limited_total',
      'gateway_upstream_calls_total',
      'gateway_command_stream_message_calls',
      'gateway_command_streams_opened_total',
      'gateway_process_cpu_seconds_total',
    ]) {
      assert.match(metrics, new RegExp(`^# HELP ${name} `, 'm'), name);
    }
    assert.match(
      metrics,
      /gateway_upstream_calls_total\{service="command",method="OpenAccount",outcome="OK"/,
    );
    // The gateway tried a stream for the commands (these stand-in services answer UNIMPLEMENTED,
    // so the commands then went as unary calls).
    assert.match(metrics, /^gateway_command_streams_opened_total\{[^}]*\} [1-9]/m);
    assert.match(
      metrics,
      /gateway_http_requests_total\{route="\/v1\/transfers",method="POST",status="201",principal="customer"/,
    );
  });
});

/** Business outcomes through the gateway, decided by the real command service. */
describe('routes on the real command service', () => {
  let h: ServicesHarness;
  before(async () => {
    h = await startServicesHarness();
  });
  after(() => h.close());

  const post = postAs(() => h);

  it('a transfer the destination refused is still a 201, status failed with a reason', async () => {
    const from = await h.seedAccount({ ownerId: 'alice', balance: '10.00' });
    const to = await h.seedAccount({ ownerId: 'bob' });
    const frozen = await post('adam', ['admin'], `/v1/accounts/${to}/freeze`, { reason: 'kyc' });
    assert.equal(frozen.json<{ account: { status: string } }>().account.status, 'frozen');
    const transfer = await post('alice', ['customer'], '/v1/transfers', {
      fromAccountId: from,
      toAccountId: to,
      amount: '1.00',
    });
    assert.equal(transfer.statusCode, 201);
    assert.equal(transfer.json<{ status: string }>().status, 'failed');
    assert.equal(transfer.json<{ failureReason: string }>().failureReason, 'ACCOUNT_FROZEN');
  });

  it('business rejections are 422 with their code', async () => {
    const a = await h.seedAccount({ ownerId: 'alice', currency: 'USD', balance: '1.00' });
    const b = await h.seedAccount({ ownerId: 'bob', currency: 'JPY' });
    const mismatch = await post('alice', ['customer'], '/v1/transfers', {
      fromAccountId: a,
      toAccountId: b,
      amount: '1',
    });
    assert.equal(mismatch.statusCode, 422);
    assert.equal(mismatch.json<{ code: string }>().code, 'CURRENCY_MISMATCH');
    const notEmpty = await post('alice', ['customer'], `/v1/accounts/${a}/close`);
    assert.equal(notEmpty.json<{ code: string }>().code, 'ACCOUNT_NOT_EMPTY');
  });
});
