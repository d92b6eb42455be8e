import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after as afterAll, before, describe, it } from 'node:test';
import { after, command, ok, type Api, type Schemas } from './support/api.js';
import { startSystem, type System } from './support/system.js';

/**
 * Idempotency-Key through the whole stack: replays, reuse with another body, racing duplicates,
 * through the client typed from the gateway's OpenAPI document.
 */
describe('idempotency keys', () => {
  let system: System;
  let teller: Api;
  let account: string;

  before(async () => {
    system = await startSystem('e2e_idem');
    teller = system.api('teller-1', ['teller']);
    account = (
      await ok(
        teller.POST('/v1/accounts', {
          params: { header: command() },
          body: { currency: 'EUR', ownerId: 'erin' },
        }),
      )
    ).account.id;
  });
  afterAll(() => system?.stop());

  const balance = async (): Promise<string> => {
    const head = (await system.eventStoreHead()).position.toString();
    const read = teller.GET('/v1/accounts/{id}', {
      params: { path: { id: account }, header: after(head) },
    });
    return (await ok(read)).balance;
  };

  const depositEvents = async (): Promise<number> => {
    const { rows } = await system.schema.pool.query<{ count: string }>(
      "SELECT count(*)::text AS count FROM events WHERE stream_id = $1 AND type = 'FundsDeposited'",
      [`account-${account}`],
    );
    return Number(rows[0]?.count);
  };

  const deposit = (amount: string, key: string, who: Api = teller) =>
    who.POST('/v1/accounts/{id}/deposits', {
      params: { path: { id: account }, header: command(key) },
      body: { amount },
    });
  const withdraw = (amount: string, key: string) =>
    teller.POST('/v1/accounts/{id}/withdrawals', {
      params: { path: { id: account }, header: command(key) },
      body: { amount },
    });

  it('replays the first answer for the same key and body, and applies it once', async () => {
    const key = randomUUID();
    const first = await deposit('10.00', key);
    assert.equal(first.response.status, 200);
    assert.equal(first.response.headers.get('idempotent-replayed'), null);
    const again = await deposit('10.00', key);
    assert.equal(again.response.status, 200);
    assert.equal(again.response.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.data, first.data);
    assert.equal(await balance(), '10.00');
    assert.equal(await depositEvents(), 1);
  });

  it('replays a 201 and a refusal (4xx) the same way', async () => {
    const openKey = randomUUID();
    const open = () =>
      teller.POST('/v1/accounts', {
        params: { header: command(openKey) },
        body: { currency: 'EUR', ownerId: 'frank' },
      });
    const opened = await open();
    const reopened = await open();
    assert.equal(opened.response.status, 201);
    assert.deepEqual(
      { status: reopened.response.status, body: reopened.data },
      { status: 201, body: opened.data },
    );
    assert.equal(reopened.response.headers.get('idempotent-replayed'), 'true');

    const refusalKey = randomUUID();
    const refused = await withdraw('1000.00', refusalKey);
    assert.equal(refused.response.status, 422);
    assert.equal(refused.error?.code, 'INSUFFICIENT_FUNDS');
    const refusedAgain = await withdraw('1000.00', refusalKey);
    assert.equal(refusedAgain.response.status, 422);
    assert.equal(refusedAgain.response.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(refusedAgain.error, refused.error);
  });

  it('refuses the same key with another body (422) and changes nothing', async () => {
    const key = randomUUID();
    await ok(deposit('1.00', key));
    const before = await system.eventStoreHead();
    const balanceBefore = await balance();
    for (const [name, reuse] of [
      ['deposit', () => deposit('2.00', key)],
      ['withdrawal', () => withdraw('1.00', key)],
    ] as const) {
      const reused = await reuse();
      assert.equal(reused.response.status, 422, name);
      assert.equal(reused.error?.code, 'IDEMPOTENCY_KEY_REUSED');
    }
    assert.deepEqual(await system.eventStoreHead(), before);
    assert.equal(await balance(), balanceBefore);
  });

  it('scopes keys by caller: the same key from another teller is another command', async () => {
    const key = randomUUID();
    const start = await balance();
    const other = system.api('teller-2', ['teller']);
    await ok(deposit('3.00', key));
    const second = await deposit('3.00', key, other);
    assert.equal(second.response.status, 200);
    assert.equal(second.response.headers.get('idempotent-replayed'), null);
    assert.equal(minor(await balance()) - minor(start), 600n);
  });

  it('requires the key on every POST', async () => {
    // The typed client cannot leave the required header out: send the request by hand.
    const missing = await system
      .as('teller-1', ['teller'])
      .post<Schemas['Problem']>(
        `/v1/accounts/${account}/deposits`,
        { amount: '1.00' },
        { idempotencyKey: null },
      );
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 'VALIDATION_FAILED');
  });

  it('applies 20 concurrent duplicates of a deposit exactly once', async () => {
    const key = randomUUID();
    const start = await balance();
    const eventsBefore = await depositEvents();
    const responses = await Promise.all(Array.from({ length: 20 }, () => deposit('7.77', key)));
    const statuses = responses.map(({ response }) => response.status);
    // The first runs; the others either see it in flight (409, retry) or replay its answer.
    assert.ok(
      statuses.every((status) => status === 200 || status === 409),
      `statuses ${statuses.join(',')}`,
    );
    const successes = responses.filter(({ response }) => response.status === 200);
    assert.ok(successes.length >= 1);
    for (const success of successes) assert.deepEqual(success.data, successes[0]?.data);
    for (const conflict of responses.filter(({ response }) => response.status === 409)) {
      assert.equal(conflict.error?.code, 'IDEMPOTENCY_IN_FLIGHT');
    }

    const retry = await deposit('7.77', key);
    assert.equal(retry.response.status, 200);
    assert.equal(retry.response.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(retry.data, successes[0]?.data);
    assert.equal(await depositEvents(), eventsBefore + 1);
    assert.equal(minor(await balance()) - minor(start), 777n);
  });
});

/** "12.34" → 1234n (two decimals, as EUR has). */
function minor(amount: string): bigint {
  const [units = '0', cents = ''] = amount.split('.');
  return BigInt(units) * 100n + BigInt(cents.padEnd(2, '0'));
}
