import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { redisUrl } from '@bank/testkit';
import { startHarness, type Harness } from './testing/harness.js';

describe('rate limits', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_IP_PER_MINUTE: '10' } });
  });
  after(() => h.close());

  it('limits each principal, with RateLimit headers and a 429 problem with Retry-After', async () => {
    const account = h.bank.seedAccount({ ownerId: 'alice' });
    const alice = h.as('alice', ['customer']);
    const read = () => alice({ method: 'GET', url: `/v1/accounts/${account}` });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await read();
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['ratelimit-limit'], '3');
      remaining.push(String(response.headers['ratelimit-remaining']));
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    const limited = await read();
    assert.equal(limited.statusCode, 429);
    assert.match(String(limited.headers['content-type']), /problem\+json/);
    assert.equal(limited.json<{ code: string }>().code, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    assert.equal(limited.headers['ratelimit-remaining'], '0');
    assert.ok(Number(limited.headers['ratelimit-reset']) >= 1);
    // Someone else is not affected.
    const bob = await h.as('bob', ['customer'])({ method: 'GET', url: '/v1/accounts' });
    assert.equal(bob.statusCode, 200);
  });

  it('counts authenticated requests per principal only: one busy address throttles nobody', async () => {
    // Six customers behind one address (an office's NAT): 18 requests, above the IP's 10.
    for (let c = 0; c < 6; c++) {
      const token = await h.token(`office-${c}`, ['customer']);
      for (let i = 0; i < 3; i++) {
        const response = await h.app.inject({
          method: 'GET',
          url: '/v1/accounts',
          remoteAddress: '10.1.1.1',
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(response.statusCode, 200, `customer ${c} request ${i}`);
        assert.equal(response.headers['ratelimit-limit'], '3');
      }
    }
  });

  it('limits each IP before authentication, so token guessing is limited too', async () => {
    let limited = 0;
    for (let i = 0; i < 12; i++) {
      const response = await h.app.inject({
        method: 'GET',
        url: '/v1/accounts',
        remoteAddress: '10.9.8.7',
        headers: { authorization: 'Bearer guess.guess.guess' },
      });
      if (response.statusCode === 429) limited++;
      else assert.equal(response.statusCode, 401);
    }
    assert.equal(limited, 2);
    const text = await h.app.metrics.registry.getSingleMetricAsString('gateway_rate_limited_total');
    assert.match(text, /scope="ip"[^\n]* 2/);
    assert.match(text, /scope="principal"[^\n]* 1/);
  });

  it('does not limit health checks', async () => {
    for (let i = 0; i < 15; i++) {
      assert.equal(
        (await h.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.9.8.7' }))
          .statusCode,
        200,
      );
    }
  });
});

describe('rate limits shared by every gateway (Redis)', () => {
  let one: Harness;
  let two: Harness;
  before(async () => {
    const env = {
      RATE_LIMIT_PER_MINUTE: '4',
      RATE_LIMIT_IP_PER_MINUTE: '6',
      REDIS_URL: redisUrl(),
    };
    one = await startHarness({ env });
    two = await startHarness({ env });
  });
  after(async () => {
    await one.close();
    await two.close();
  });

  it('one principal gets one quota across two gateways', async () => {
    const sub = `shared-${randomUUID()}`;
    const statuses: number[] = [];
    for (const gateway of [one, two, one, two, one, two]) {
      const response = await gateway.as(sub, ['customer'])({ method: 'GET', url: '/v1/accounts' });
      statuses.push(response.statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
    const text = await two.app.metrics.registry.getSingleMetricAsString('gateway_shared_state_up');
    assert.match(text, /gateway_shared_state_up\{[^}]*\} 1/);
  });

  it('one address gets one quota across two gateways before authentication', async () => {
    const address = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await (i % 2 ? two : one).app.inject({
        method: 'GET',
        url: '/v1/accounts',
        remoteAddress: address,
      });
      statuses.push(response.statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401, 429, 429]);
  });
});

describe('rate limits when Redis does not answer', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      env: { RATE_LIMIT_PER_MINUTE: '2', REDIS_URL: 'redis://127.0.0.1:1' },
    });
  });
  after(() => h.close());

  it('lets requests pass, and says so in the metrics', async () => {
    const read = h.as('unlimited', ['customer']);
    for (let i = 0; i < 4; i++) {
      assert.equal((await read({ method: 'GET', url: '/v1/accounts' })).statusCode, 200);
    }
    const metrics = await h.app.metrics.registry.metrics();
    assert.match(metrics, /gateway_shared_state_up\{[^}]*\} 0/);
    assert.match(metrics, /gateway_shared_state_errors_total\{operation="rate_limit"[^}]*\} 4/);
  });
});
