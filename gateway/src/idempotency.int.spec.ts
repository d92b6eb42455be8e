import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import { AppError } from '@bank/platform';
import { commandIdFor, legacyCommandIdFor, requestHash } from './idempotency/keys.js';
import { newKey, startHarness, type Harness } from './testing/harness.js';

// pg warns (once per process) when a query is sent to a session still running another one.
const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(warning.message));

describe('idempotency (PostgreSQL store)', () => {
  let h: Harness;
  let account: string;
  const teller = () => h.as('tina', ['teller']);
  const deposit = (key: string | undefined, amount = '10.00', id = account) =>
    teller()({
      method: 'POST',
      url: `/v1/accounts/${id}/deposits`,
      headers: key === undefined ? {} : { 'idempotency-key': key },
      payload: { amount },
    });

  before(async () => {
    h = await startHarness({ store: 'postgres' });
  });
  after(() => h.close());
  beforeEach(() => {
    h.bank.reset();
    account = h.bank.seedAccount({ ownerId: 'alice' });
  });

  it('creates its table with scope, key, hash, status, response and created_at', async () => {
    const { rows } = await h.schema!.pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'idempotency_keys'`,
      [h.schema!.name],
    );
    const columns = rows.map((r) => r.column_name).sort();
    for (const column of [
      'scope',
      'key',
      'request_hash',
      'status',
      'response_status',
      'response_body',
      'created_at',
    ]) {
      assert.ok(columns.includes(column), column);
    }
  });

  it('requires the key on every POST, at most 255 characters', async () => {
    const missing = await deposit(undefined);
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json<{ code: string; field: string }>().code, 'VALIDATION_FAILED');
    assert.equal((await deposit('x'.repeat(256))).statusCode, 400);
    assert.equal((await deposit('x'.repeat(255))).statusCode, 200);
    assert.equal(h.bank.callsOf('Deposit').length, 1);
  });

  it('replays the stored status and body with Idempotent-Replayed, and sends one command', async () => {
    const key = newKey();
    const first = await deposit(key);
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const again = await deposit(key);
    assert.equal(again.statusCode, 200);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.json(), first.json());
    assert.equal(h.bank.callsOf('Deposit').length, 1);
    assert.equal(h.bank.callsOf('Deposit')[0]?.commandId, commandIdFor('tina', key));
  });

  it('scopes keys by principal', async () => {
    const key = newKey();
    assert.equal((await deposit(key)).statusCode, 200);
    const other = await h.as('adam', ['admin'])({
      method: 'POST',
      url: `/v1/accounts/${account}/deposits`,
      headers: { 'idempotency-key': key },
      payload: { amount: '10.00' },
    });
    assert.equal(other.statusCode, 200);
    assert.equal(other.headers['idempotent-replayed'], undefined);
    assert.equal(h.bank.callsOf('Deposit').length, 2);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
    const key = newKey();
    await deposit(key, '10.00');
    const reused = await deposit(key, '11.00');
    assert.equal(reused.statusCode, 422);
    assert.equal(reused.json<{ code: string }>().code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(h.bank.callsOf('Deposit').length, 1);
  });

  it('stores business rejections as final answers too', async () => {
    const key = newKey();
    const withdraw = () =>
      h.as('alice', ['customer'])({
        method: 'POST',
        url: `/v1/accounts/${account}/withdrawals`,
        headers: { 'idempotency-key': key },
        payload: { amount: '1.00' },
      });
    const first = await withdraw();
    assert.equal(first.statusCode, 422);
    assert.equal(first.json<{ code: string }>().code, 'INSUFFICIENT_FUNDS');
    const again = await withdraw();
    assert.equal(again.statusCode, 422);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.match(String(again.headers['content-type']), /problem\+json/);
    assert.equal(h.bank.callsOf('Withdraw').length, 1);
  });

  it('20 concurrent duplicates: one command upstream, the others 409 in flight or replays', async () => {
    h.bank.delayMs = 300;
    const key = newKey();
    const responses = await Promise.all(Array.from({ length: 20 }, () => deposit(key)));
    const statuses = responses.map((r) => r.statusCode).sort();
    assert.equal(statuses.filter((s) => s === 200).length >= 1, true, String(statuses));
    assert.ok(
      statuses.every((s) => s === 200 || s === 409),
      String(statuses),
    );
    for (const r of responses.filter((r) => r.statusCode === 409)) {
      assert.equal(r.json<{ code: string }>().code, 'IDEMPOTENCY_IN_FLIGHT');
    }
    assert.equal(h.bank.callsFor(commandIdFor('tina', key)), 1);
    h.bank.delayMs = 0;
    const later = await deposit(key);
    assert.equal(later.statusCode, 200);
    assert.equal(later.headers['idempotent-replayed'], 'true');
    assert.equal(h.bank.callsFor(commandIdFor('tina', key)), 1);
    assert.equal(h.bank.accounts.get(account)?.balance, 1000n);
  });

  it('does not store an unknown outcome: the retry runs again with the same command id', async () => {
    const key = newKey();
    h.bank.failNext = new AppError('internal', 'INTERNAL', 'boom');
    const failed = await deposit(key);
    assert.equal(failed.statusCode, 500);
    assert.deepEqual(Object.keys(failed.json()).sort(), [
      'code',
      'instance',
      'status',
      'title',
      'type',
    ]);
    const { rows } = await h.schema!.pool.query<{ command_id: string }>(
      `SELECT command_id FROM idempotency_keys WHERE key = $1 AND status = 'in_flight'`,
      [key],
    );
    assert.deepEqual(rows, [{ command_id: commandIdFor('tina', key) }], 'the claim keeps its id');
    const retried = await deposit(key);
    assert.equal(retried.statusCode, 200);
    const ids = h.bank.callsOf('Deposit').map((c) => c.commandId);
    assert.deepEqual(ids, [commandIdFor('tina', key), commandIdFor('tina', key)]);
  });

  it('purges keys older than the retention and keeps younger ones', async () => {
    const old = newKey();
    const young = newKey();
    await deposit(old);
    await deposit(young);
    await h.schema!.pool.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`,
      [old],
    );
    const purged = await h.app.idempotencyStore.purge(24 * 3_600_000);
    assert.equal(purged, 1);
    const { rows } = await h.schema!.pool.query<{ key: string }>(
      'SELECT key FROM idempotency_keys WHERE key = ANY($1)',
      [[old, young]],
    );
    assert.deepEqual(
      rows.map((r) => r.key),
      [young],
    );
  });

  it('takes over an in-flight claim abandoned by a crashed gateway', async () => {
    const key = newKey();
    const first = await deposit(key);
    assert.equal(first.statusCode, 200);
    // As if the gateway had died after the command but before recording its answer.
    await h.schema!.pool.query(
      `UPDATE idempotency_keys SET status = 'in_flight', response_status = NULL, response_body = NULL,
              updated_at = now() - interval '1 hour' WHERE key = $1`,
      [key],
    );
    const retried = await deposit(key);
    assert.equal(retried.statusCode, 200);
    // The command service saw the same command id twice and replayed the first result.
    assert.equal(h.bank.callsFor(commandIdFor('tina', key)), 2);
    assert.equal(h.bank.accounts.get(account)?.balance, 1000n);
  });

  it('runs the command of every principal whose principal and key join like another pair', async () => {
    // Customer P with key "x:k" and customer "P:x" with key "k" were once the same command.
    const p = `p-${newKey()}`;
    const pairs = [
      { sub: p, key: 'x:k', amount: '0.01', cents: 1n },
      { sub: `${p}:x`, key: 'k', amount: '80.00', cents: 8000n },
      { sub: `${p}|x`, key: 'k', amount: '7.00', cents: 700n },
      { sub: p, key: 'x|k', amount: '6.00', cents: 600n },
    ];
    for (const pair of pairs) {
      const from = h.bank.seedAccount({ ownerId: pair.sub, balance: '100.00' });
      const to = h.bank.seedAccount({ ownerId: 'bob' });
      const response = await h.as(pair.sub, ['customer'])({
        method: 'POST',
        url: '/v1/transfers',
        headers: { 'idempotency-key': pair.key },
        payload: { fromAccountId: from, toAccountId: to, amount: pair.amount },
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.headers['idempotent-replayed'], undefined, `${pair.sub} ${pair.key}`);
      assert.equal(response.json<{ amount: string }>().amount, pair.amount);
      assert.equal(h.bank.accounts.get(to)?.balance, pair.cents);
    }
    const ids = h.bank.callsOf('RequestTransfer').map((c) => c.commandId);
    assert.equal(new Set(ids).size, pairs.length);
  });

  it('retries a key claimed before command ids were tuples under its first command id', async () => {
    const key = newKey();
    // A row as the gateway stored it before: no command id, its attempt died an hour ago.
    await h.schema!.pool.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status, updated_at)
       SELECT 'tina', $1, request_hash, 'in_flight', now() - interval '1 hour'
         FROM (SELECT $2::text AS request_hash) r`,
      [key, requestHash('POST', `/v1/accounts/${account}/deposits`, { amount: '10.00' })],
    );
    assert.equal((await deposit(key)).statusCode, 200);
    assert.deepEqual(
      h.bank.callsOf('Deposit').map((c) => c.commandId),
      [legacyCommandIdFor('tina', key)],
    );
  });

  it('never sends a query to a session that is still busy, from the first query of a session on', async () => {
    // New sessions are opened under load: each must take its first query only once it is free.
    const answers = await Promise.all(Array.from({ length: 40 }, () => deposit(newKey(), '1.00')));
    assert.deepEqual(new Set(answers.map((a) => a.statusCode)), new Set([200]));
    assert.deepEqual(
      warnings.filter((w) => /already executing a query/.test(w)),
      [],
    );
  });
});
