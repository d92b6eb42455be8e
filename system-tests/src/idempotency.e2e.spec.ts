import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Account, AccountResult, Client, Problem } from './support/client.js';
import { startSystem, type System } from './support/system.js';

/** Idempotency-Key through the whole stack: replays, reuse with another body, racing duplicates. */
describe('idempotency keys', () => {
  let system: System;
  let teller: Client;
  let account: string;

  before(async () => {
    system = await startSystem('e2e_idem');
    teller = system.as('teller-1', ['teller']);
    account = (await teller.ok<AccountResult>('/v1/accounts', { currency: 'EUR', ownerId: 'erin' }))
      .account.id;
  });
  after(() => system?.stop());

  const balance = async (): Promise<string> => {
    const head = await system.eventStoreHead();
    return (await teller.read<Account>(`/v1/accounts/${account}`, head.position.toString()))
      .balance;
  };

  const depositEvents = async (): Promise<number> => {
    const { rows } = await system.schema.pool.query<{ count: string }>(
      "SELECT count(*)::text AS count FROM events WHERE stream_id = $1 AND type = 'FundsDeposited'",
      [`account-${account}`],
    );
    return Number(rows[0]?.count);
  };

  it('replays the first answer for the same key and body, and applies it once', async () => {
    const key = randomUUID();
    const first = await teller.post<AccountResult>(
      `/v1/accounts/${account}/deposits`,
      { amount: '10.00' },
      { idempotencyKey: key },
    );
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const again = await teller.post<AccountResult>(
      `/v1/accounts/${account}/deposits`,
      { amount: '10.00' },
      { idempotencyKey: key },
    );
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal(await balance(), '10.00');
    assert.equal(await depositEvents(), 1);
  });

  it('replays a 201 and a refusal (4xx) the same way', async () => {
    const openKey = randomUUID();
    const body = { currency: 'EUR', ownerId: 'frank' };
    const opened = await teller.post('/v1/accounts', body, { idempotencyKey: openKey });
    const reopened = await teller.post('/v1/accounts', body, { idempotencyKey: openKey });
    assert.equal(opened.status, 201);
    assert.deepEqual(
      { status: reopened.status, body: reopened.body },
      { status: 201, body: opened.body },
    );
    assert.equal(reopened.headers.get('idempotent-replayed'), 'true');

    const refusalKey = randomUUID();
    const overdraw = { amount: '1000.00' };
    const refused = await teller.post<Problem>(`/v1/accounts/${account}/withdrawals`, overdraw, {
      idempotencyKey: refusalKey,
    });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'INSUFFICIENT_FUNDS');
    const refusedAgain = await teller.post<Problem>(
      `/v1/accounts/${account}/withdrawals`,
      overdraw,
      { idempotencyKey: refusalKey },
    );
    assert.equal(refusedAgain.status, 422);
    assert.equal(refusedAgain.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(refusedAgain.body, refused.body);
  });

  it('refuses the same key with another body (422) and changes nothing', async () => {
    const key = randomUUID();
    await teller.ok(
      `/v1/accounts/${account}/deposits`,
      { amount: '1.00' },
      { idempotencyKey: key },
    );
    const before = await system.eventStoreHead();
    const balanceBefore = await balance();
    for (const [path, body] of [
      [`/v1/accounts/${account}/deposits`, { amount: '2.00' }],
      [`/v1/accounts/${account}/withdrawals`, { amount: '1.00' }],
    ] as const) {
      const reused = await teller.post<Problem>(path, body, { idempotencyKey: key });
      assert.equal(reused.status, 422, path);
      assert.equal(reused.body.code, 'IDEMPOTENCY_KEY_REUSED');
    }
    assert.deepEqual(await system.eventStoreHead(), before);
    assert.equal(await balance(), balanceBefore);
  });

  it('scopes keys by caller: the same key from another teller is another command', async () => {
    const key = randomUUID();
    const start = await balance();
    const other = system.as('teller-2', ['teller']);
    await teller.ok(
      `/v1/accounts/${account}/deposits`,
      { amount: '3.00' },
      { idempotencyKey: key },
    );
    const second = await other.post(
      `/v1/accounts/${account}/deposits`,
      { amount: '3.00' },
      { idempotencyKey: key },
    );
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('idempotent-replayed'), null);
    assert.equal(minor(await balance()) - minor(start), 600n);
  });

  it('requires the key on every POST', async () => {
    const missing = await teller.post<Problem>(
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
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        teller.post<AccountResult | Problem>(
          `/v1/accounts/${account}/deposits`,
          { amount: '7.77' },
          { idempotencyKey: key },
        ),
      ),
    );
    const statuses = responses.map((response) => response.status);
    // The first runs; the others either see it in flight (409, retry) or replay its answer.
    assert.ok(
      statuses.every((status) => status === 200 || status === 409),
      `statuses ${statuses.join(',')}`,
    );
    const successes = responses.filter((response) => response.status === 200);
    assert.ok(successes.length >= 1);
    for (const success of successes) assert.deepEqual(success.body, successes[0]?.body);
    for (const conflict of responses.filter((response) => response.status === 409)) {
      assert.equal((conflict.body as Problem).code, 'IDEMPOTENCY_IN_FLIGHT');
    }

    const retry = await teller.post<AccountResult>(
      `/v1/accounts/${account}/deposits`,
      { amount: '7.77' },
      { idempotencyKey: key },
    );
    assert.equal(retry.status, 200);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(retry.body, successes[0]?.body);
    assert.equal(await depositEvents(), eventsBefore + 1);
    assert.equal(minor(await balance()) - minor(start), 777n);
  });
});

/** "12.34" → 1234n (two decimals, as EUR has). */
function minor(amount: string): bigint {
  const [units = '0', cents = ''] = amount.split('.');
  return BigInt(units) * 100n + BigInt(cents.padEnd(2, '0'));
}
