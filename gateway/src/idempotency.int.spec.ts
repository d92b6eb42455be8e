import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import { commandIdFor } from './idempotency/keys.js';
import { newKey, startServicesHarness, type ServicesHarness } from './testing/harness.js';

/**
 * The Idempotency-Key contract through the gateway on the real command service: the gateway
 * keeps nothing, the command service records each command's first outcome with its events.
 */
describe('idempotency keys (real command service)', () => {
  let h: ServicesHarness;
  let account: string;
  const teller = () => h.as('tina', ['teller']);
  const deposit = (key: string | undefined, amount = '10.00', id = account) =>
    teller()({
      method: 'POST',
      url: `/v1/accounts/${id}/deposits`,
      headers: key === undefined ? {} : { 'idempotency-key': key },
      payload: { amount },
    });
  const withdraw = (key: string, amount: string) =>
    h.as('alice', ['customer'])({
      method: 'POST',
      url: `/v1/accounts/${account}/withdrawals`,
      headers: { 'idempotency-key': key },
      payload: { amount },
    });
  /** Events the command appended to the event store, by its command id. */
  const eventsOf = async (commandId: string) => {
    const { rows } = await h.schema!.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM events WHERE metadata->>'commandId' = $1`,
      [commandId],
    );
    return Number(rows[0]?.n);
  };
  const balance = async (position: string) => {
    const read = await teller()({
      method: 'GET',
      url: `/v1/accounts/${account}`,
      headers: { 'x-consistency-token': position },
    });
    assert.equal(read.statusCode, 200, read.body);
    return read.json<{ balance: string }>().balance;
  };

  before(async () => {
    h = await startServicesHarness();
  });
  after(() => h.close());
  beforeEach(async () => {
    account = await h.seedAccount({ ownerId: 'alice' });
  });

  it('requires the key on every POST, at most 255 characters', async () => {
    const missing = await deposit(undefined);
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json<{ code: string; field: string }>().code, 'VALIDATION_FAILED');
    assert.equal((await deposit('x'.repeat(256))).statusCode, 400);
    assert.equal((await deposit('x'.repeat(255))).statusCode, 200);
  });

  it('replays the first status and body with Idempotent-Replayed, and applies it once', async () => {
    const key = newKey();
    const first = await deposit(key);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    // The account moves on; the replay still answers what the first answer said.
    const later = await deposit(newKey(), '1.00');
    assert.equal(later.statusCode, 200);
    const again = await deposit(key);
    assert.equal(again.statusCode, 200);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.json(), first.json());
    assert.equal(await eventsOf(commandIdFor('tina', key)), 1);
    assert.equal(await balance(later.json<{ position: string }>().position), '11.00');
  });

  it('scopes keys by principal: the same key from another caller is another command', async () => {
    const key = newKey();
    assert.equal((await deposit(key)).statusCode, 200);
    const other = await h.as('adam', ['admin'])({
      method: 'POST',
      url: `/v1/accounts/${account}/deposits`,
      headers: { 'idempotency-key': key },
      payload: { amount: '10.00' },
    });
    assert.equal(other.statusCode, 200, other.body);
    assert.equal(other.headers['idempotent-replayed'], undefined);
    assert.equal(await balance(other.json<{ position: string }>().position), '20.00');
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body, changing nothing', async () => {
    const key = newKey();
    const first = await deposit(key, '10.00');
    assert.equal(first.statusCode, 200);
    for (const reuse of [
      () => deposit(key, '11.00'),
      () =>
        deposit(
          key,
          '10.00',
          account.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
        ),
    ]) {
      const reused = await reuse();
      assert.equal(reused.statusCode, 422, reused.body);
      assert.equal(reused.json<{ code: string }>().code, 'IDEMPOTENCY_KEY_REUSED');
    }
    assert.equal(await eventsOf(commandIdFor('tina', key)), 1);
    assert.equal(await balance(first.json<{ position: string }>().position), '10.00');
  });

  it('replays a refusal even once the state would allow the command', async () => {
    const key = newKey();
    const first = await withdraw(key, '5.00');
    assert.equal(first.statusCode, 422);
    assert.equal(first.json<{ code: string }>().code, 'INSUFFICIENT_FUNDS');
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const funded = await deposit(newKey(), '50.00');
    assert.equal(funded.statusCode, 200);
    const again = await withdraw(key, '5.00');
    assert.equal(again.statusCode, 422);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.match(String(again.headers['content-type']), /problem\+json/);
    assert.deepEqual(again.json(), first.json());
    const other = await withdraw(key, '6.00');
    assert.equal(other.json<{ code: string }>().code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await eventsOf(commandIdFor('alice', key)), 0);
    assert.equal(await balance(funded.json<{ position: string }>().position), '50.00');
  });

  it('20 concurrent duplicates: applied once, the others 409 in flight or replays', async () => {
    const key = newKey();
    const responses = await Promise.all(Array.from({ length: 20 }, () => deposit(key, '7.77')));
    const statuses = responses.map((r) => r.statusCode);
    assert.ok(statuses.includes(200), String(statuses));
    assert.ok(
      statuses.every((s) => s === 200 || s === 409),
      String(statuses),
    );
    for (const r of responses.filter((r) => r.statusCode === 409)) {
      assert.equal(r.json<{ code: string }>().code, 'IDEMPOTENCY_IN_FLIGHT');
      assert.equal(r.headers['retry-after'], '1');
    }
    const later = await deposit(key, '7.77');
    assert.equal(later.statusCode, 200);
    assert.equal(later.headers['idempotent-replayed'], 'true');
    assert.equal(await eventsOf(commandIdFor('tina', key)), 1);
    assert.equal(await balance(later.json<{ position: string }>().position), '7.77');
  });

  it('runs the command of every principal whose principal and key join like another pair', async () => {
    // Customer P with key "x:k" and customer "P:x" with key "k" were once the same command.
    const p = `p-${newKey()}`;
    const pairs = [
      { sub: p, key: 'x:k', amount: '0.01' },
      { sub: `${p}:x`, key: 'k', amount: '80.00' },
      { sub: `${p}|x`, key: 'k', amount: '7.00' },
      { sub: p, key: 'x|k', amount: '6.00' },
    ];
    for (const pair of pairs) {
      const from = await h.seedAccount({ ownerId: pair.sub, balance: '100.00' });
      const to = await h.seedAccount({ ownerId: 'bob' });
      const response = await h.as(pair.sub, ['customer'])({
        method: 'POST',
        url: '/v1/transfers',
        headers: { 'idempotency-key': pair.key },
        payload: { fromAccountId: from, toAccountId: to, amount: pair.amount },
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.headers['idempotent-replayed'], undefined, `${pair.sub} ${pair.key}`);
      assert.equal(response.json<{ amount: string }>().amount, pair.amount);
      assert.equal(response.json<{ status: string }>().status, 'completed');
    }
  });
});
