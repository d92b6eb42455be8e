import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
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
