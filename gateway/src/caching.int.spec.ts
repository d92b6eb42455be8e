import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createLogger } from '@bank/platform';
import { redisUrl } from '@bank/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { newKey, startHarness, type Harness } from './testing/harness.js';

describe('GET cache, ETags and consistency tokens', () => {
  let h: Harness;
  let account: string;
  const alice = () => h.as('alice', ['customer']);
  const read = (headers: Record<string, string> = {}) =>
    alice()({ method: 'GET', url: `/v1/accounts/${account}`, headers });
  const metric = async (result: string) => {
    const text = await h.app.metrics.registry.getSingleMetricAsString(
      'gateway_cache_requests_total',
    );
    const line = text.split('\n').find((l) => l.includes(`result="${result}"`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  before(async () => {
    h = await startHarness({ env: { CACHE_TTL_MS: '60000' } });
  });
  after(() => h.close());
  beforeEach(() => {
    h.bank.reset();
    account = h.bank.seedAccount({ ownerId: 'alice', balance: '50.00' });
  });

  it('serves a repeated GET from the cache, per principal', async () => {
    const hitsBefore = await metric('hit');
    const first = await read();
    const second = await read();
    assert.equal(first.statusCode, 200);
    assert.deepEqual(second.json(), first.json());
    assert.equal(h.bank.callsOf('GetAccount').length, 1);
    assert.equal(await metric('hit'), hitsBefore + 1);
    // Another principal has its own entry.
    await h.as('tina', ['teller'])({ method: 'GET', url: `/v1/accounts/${account}` });
    assert.equal(h.bank.callsOf('GetAccount').length, 2);
  });

  it("drops the entries of an account on any principal's successful command on it", async () => {
    await read();
    const deposit = await h.as('tina', ['teller'])({
      method: 'POST',
      url: `/v1/accounts/${account}/deposits`,
      headers: { 'idempotency-key': newKey() },
      payload: { amount: '1.00' },
    });
    assert.equal(deposit.statusCode, 200);
    const after = await read();
    assert.equal(after.json<{ balance: string }>().balance, '51.00');
    assert.equal(h.bank.callsOf('GetAccount').length, 2);
  });

  it('a transfer invalidates both accounts', async () => {
    const other = h.bank.seedAccount({ ownerId: 'bob' });
    await read();
    const bobRead = () =>
      h.as('bob', ['customer'])({ method: 'GET', url: `/v1/accounts/${other}` });
    await bobRead();
    const transfer = await alice()({
      method: 'POST',
      url: '/v1/transfers',
      headers: { 'idempotency-key': newKey() },
      payload: { fromAccountId: account, toAccountId: other, amount: '5.00' },
    });
    assert.equal(transfer.statusCode, 201);
    assert.equal((await read()).json<{ balance: string }>().balance, '45.00');
    assert.equal((await bobRead()).json<{ balance: string }>().balance, '5.00');
  });

  it('answers 304 to a matching If-None-Match, and 200 once the account changed', async () => {
    const first = await read();
    const etag = String(first.headers['etag']);
    assert.match(etag, /^".+"$/);
    const revalidatedBefore = await metric('revalidated');
    const notModified = await read({ 'if-none-match': etag });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, '');
    assert.equal(await metric('revalidated'), revalidatedBefore + 1);
    await h.as('tina', ['teller'])({
      method: 'POST',
      url: `/v1/accounts/${account}/deposits`,
      headers: { 'idempotency-key': newKey() },
      payload: { amount: '1.00' },
    });
    const changed = await read({ 'if-none-match': etag });
    assert.equal(changed.statusCode, 200);
    assert.notEqual(changed.headers['etag'], etag);
  });

  it('X-Consistency-Token bypasses the cache and is passed upstream', async () => {
    await read();
    const fresh = await read({ 'x-consistency-token': '42' });
    assert.equal(fresh.statusCode, 200);
    const calls = h.bank.callsOf('GetAccount');
    assert.equal(calls.length, 2);
    assert.equal(calls[1]?.options?.consistencyToken, '42');
    assert.equal((await read({ 'x-consistency-token': 'abc' })).statusCode, 400);
  });

  it('a command answers the position to use as the consistency token', async () => {
    const deposit = await h.as('tina', ['teller'])({
      method: 'POST',
      url: `/v1/accounts/${account}/deposits`,
      headers: { 'idempotency-key': newKey() },
      payload: { amount: '1.00' },
    });
    assert.match(deposit.json<{ position: string }>().position, /^[0-9]+$/);
  });
});

describe('GET cache shared by two gateways (Redis)', () => {
  let h: Harness;
  let other: FastifyInstance;
  let account: string;
  const CUSTOMER = 'shared-cache-alice';

  before(async () => {
    h = await startHarness({ env: { CACHE_TTL_MS: '60000', REDIS_URL: redisUrl() } });
    // A second gateway in front of the same upstreams and Redis.
    other = await buildApp(h.config, {
      logger: createLogger({ service: 'gateway-test', level: 'silent' }),
    });
    await other.ready();
  });
  after(async () => {
    await other.close();
    await h.close();
  });
  beforeEach(() => {
    h.bank.reset();
    account = h.bank.seedAccount({ ownerId: CUSTOMER, balance: '50.00' });
  });

  const readThrough = async (app: FastifyInstance) => {
    const token = await h.token(CUSTOMER, ['customer']);
    const response = await app.inject({
      method: 'GET',
      url: `/v1/accounts/${account}`,
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.statusCode, 200);
    return response.json<{ balance: string }>().balance;
  };

  it('a read through B right after a write through A never gets B’s old entry', async () => {
    for (let round = 0; round < 5; round++) {
      const before = await readThrough(other); // cached in B
      assert.equal(await readThrough(other), before, 'B serves its entry while nothing changed');
      const deposit = await h.as('shared-cache-teller', ['teller'])({
        method: 'POST',
        url: `/v1/accounts/${account}/deposits`,
        headers: { 'idempotency-key': newKey() },
        payload: { amount: '1.00' },
      });
      assert.equal(deposit.statusCode, 200);
      const expected = deposit.json<{ account: { balance: string } }>().account.balance;
      assert.equal(await readThrough(other), expected, `round ${round}`);
    }
  });

  it('still serves hits when nothing changed, and counts them', async () => {
    const calls = h.bank.callsOf('GetAccount').length;
    await readThrough(other);
    await readThrough(other);
    await readThrough(other);
    assert.equal(h.bank.callsOf('GetAccount').length, calls + 1);
  });
});
