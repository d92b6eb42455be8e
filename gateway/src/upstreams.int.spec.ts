import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { AppError, createLogger } from '@bank/platform';
import { waitFor } from '@bank/testkit';
import { buildApp } from './app.js';
import { mintDevelopmentToken } from '@bank/platform';
import { newKey, startHarness, TEST_SECRET, testConfig } from './testing/harness.js';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('upstream failures', () => {
  it('no upstream: 503 fast, with Retry-After and no transport detail; /readyz 503', async () => {
    // Fast means: refused connections answer long before the call's deadline, not at it.
    const deadlineMs = 20_000;
    const config = testConfig({
      COMMAND_SERVICE_ADDRESS: `127.0.0.1:${await closedPort()}`,
      QUERY_SERVICE_ADDRESS: `127.0.0.1:${await closedPort()}`,
      UPSTREAM_TIMEOUT_MS: String(deadlineMs),
    });
    const app = await buildApp(config, {
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    try {
      const token = await mintDevelopmentToken({
        sub: 'tina',
        roles: ['teller'],
        secret: TEST_SECRET,
        issuer: 'bank-gateway',
        audience: 'bank-api',
      });
      const headers = { authorization: `Bearer ${token}` };
      for (const request of [
        { method: 'GET' as const, url: `/v1/accounts/${randomUUID()}`, headers },
        {
          method: 'POST' as const,
          url: `/v1/accounts/${randomUUID()}/deposits`,
          headers: { ...headers, 'idempotency-key': newKey() },
          payload: { amount: '1.00' },
        },
      ]) {
        const started = Date.now();
        const response = await app.inject(request);
        const elapsed = Date.now() - started;
        assert.equal(response.statusCode, 503, response.body);
        assert.ok(elapsed < deadlineMs / 4, `took ${elapsed} ms of a ${deadlineMs} ms deadline`);
        assert.equal(response.json<{ code: string }>().code, 'UNAVAILABLE');
        assert.ok(Number(response.headers['retry-after']) >= 1);
        assert.doesNotMatch(response.body, /127\.0\.0\.1|ECONNREFUSED|connect|grpc/i);
      }
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), {
        status: 'not ready',
        checks: { commandService: false, queryService: false },
      });
      assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    } finally {
      await app.close();
    }
  });

  it('slow upstream: 504 at the deadline; the unknown outcome is not stored', async () => {
    const h = await startHarness({ env: { UPSTREAM_TIMEOUT_MS: '200' } });
    try {
      const account = h.bank.seedAccount({ ownerId: 'alice' });
      h.bank.delayMs = 700;
      const started = Date.now();
      const read = await h.as('alice', ['customer'])({
        method: 'GET',
        url: `/v1/accounts/${account}`,
      });
      assert.equal(read.statusCode, 504);
      assert.ok(Date.now() - started < 650, `took ${Date.now() - started} ms`);
      assert.equal(read.json<{ code: string }>().code, 'DEADLINE_EXCEEDED');
      const key = newKey();
      const deposit = () =>
        h.as('tina', ['teller'])({
          method: 'POST',
          url: `/v1/accounts/${account}/deposits`,
          headers: { 'idempotency-key': key },
          payload: { amount: '1.00' },
        });
      assert.equal((await deposit()).statusCode, 504);
      h.bank.delayMs = 0;
      await waitFor(
        async () => {
          const balance = await h.as('alice', ['customer'])({
            method: 'GET',
            url: `/v1/accounts/${account}`,
          });
          return balance.json<{ balance?: string }>().balance === '1.00';
        },
        { description: 'the slow first attempt to finish upstream' },
      );
      const retried = await deposit();
      assert.equal(retried.statusCode, 200);
      // Same command id both times: the upstream applied it once.
      assert.equal(retried.json<{ account: { balance: string } }>().account.balance, '1.00');
    } finally {
      await h.close();
    }
  });

  it('a retry hint from the upstream (consistency wait ran out) becomes Retry-After, not a retry', async () => {
    const h = await startHarness();
    try {
      const account = h.bank.seedAccount({ ownerId: 'alice' });
      h.bank.failNext = new AppError('unavailable', 'CONSISTENCY_TIMEOUT', 'views are behind', {
        retryAfterMs: 2500,
      });
      const response = await h.as('alice', ['customer'])({
        method: 'GET',
        url: `/v1/accounts/${account}`,
        headers: { 'x-consistency-token': '99' },
      });
      assert.equal(response.statusCode, 503);
      assert.equal(response.headers['retry-after'], '3');
      assert.equal(response.json<{ code: string }>().code, 'CONSISTENCY_TIMEOUT');
      assert.equal(h.bank.callsOf('GetAccount').length, 1);
    } finally {
      await h.close();
    }
  });

  it('request id: a sane X-Request-Id is echoed and sent as x-correlation-id, else one is made', async () => {
    const h = await startHarness();
    try {
      const account = h.bank.seedAccount({ ownerId: 'alice' });
      const alice = h.as('alice', ['customer']);
      const response = await alice({
        method: 'GET',
        url: `/v1/accounts/${account}`,
        headers: { 'x-request-id': 'req-42.a' },
      });
      assert.equal(response.headers['x-request-id'], 'req-42.a');
      assert.equal(h.bank.callsOf('GetAccount')[0]?.correlationId, 'req-42.a');
      const insane = await alice({
        method: 'GET',
        url: '/v1/accounts',
        headers: { 'x-request-id': 'no spaces <allowed>' },
      });
      assert.match(String(insane.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      assert.equal(
        h.bank.callsOf('ListAccounts')[0]?.correlationId,
        insane.headers['x-request-id'],
      );
    } finally {
      await h.close();
    }
  });
});

describe('load balancing over two command services', () => {
  it('spreads requests over both and loses none when one stops', async () => {
    const h = await startHarness({
      commandInstances: 2,
      env: { RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_IP_PER_MINUTE: '100000' },
    });
    try {
      const account = h.bank.seedAccount({ ownerId: 'alice' });
      const teller = h.as('tina', ['teller']);
      const deposit = () =>
        teller({
          method: 'POST',
          url: `/v1/accounts/${account}/deposits`,
          headers: { 'idempotency-key': newKey() },
          payload: { amount: '1.00' },
        });
      for (let i = 0; i < 20; i++) assert.equal((await deposit()).statusCode, 200);
      const instances = new Set(h.bank.callsOf('Deposit').map((c) => c.instance));
      assert.deepEqual([...instances].sort(), ['command-0', 'command-1']);

      // Four clients keep depositing while one instance shuts down.
      const statuses: number[] = [];
      let stopping: Promise<void> | undefined;
      await Promise.all(
        Array.from({ length: 4 }, async (_, client) => {
          for (let i = 0; i < 15; i++) {
            if (client === 0 && i === 5) stopping = h.commandServices[0]?.stop(200);
            statuses.push((await deposit()).statusCode);
          }
        }),
      );
      await stopping;
      assert.deepEqual(
        statuses.filter((s) => s !== 200),
        [],
        'every request during the failover succeeded',
      );
      for (let i = 0; i < 5; i++) assert.equal((await deposit()).statusCode, 200);
      assert.equal(
        h.bank.accounts.get(account)?.balance,
        8500n,
        'every deposit applied exactly once',
      );
    } finally {
      await h.close();
    }
  });
});
