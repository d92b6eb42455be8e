import { strict as assert } from 'node:assert';
import { after as afterAll, before, describe, it } from 'node:test';
import {
  after,
  command,
  deposit,
  ok,
  openAccount,
  recorded,
  type Api,
  type RequestBody,
} from './support/api.js';
import { startSystem, type System } from './support/system.js';

type Leg = RequestBody<'requestTransferBatch'>['transfers'][number];

/**
 * Atomic transfer batches through the gateway: all legs or none, in one append. Every call goes
 * through the client typed from the gateway's own OpenAPI document.
 */
describe('atomic transfer batches', () => {
  let system: System;
  let teller: Api;
  let owner: Api;
  let a: string;
  let b: string;
  let c: string;
  let frozen: string;
  let pounds: string;

  const open = async (ownerId: string, currency: 'EUR' | 'GBP' = 'EUR'): Promise<string> =>
    (await openAccount(teller, { currency, ownerId })).account.id;
  const balances = async (position: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const [name, id] of Object.entries({ a, b, c })) {
      const account = await ok(
        teller.GET('/v1/accounts/{id}', { params: { path: { id }, header: after(position) } }),
      );
      out[name] = account.balance;
    }
    return out;
  };
  const batch = (transfers: readonly Leg[], api = teller, key?: string) =>
    api.POST('/v1/transfer-batches', {
      params: { header: command(key) },
      body: { mode: 'atomic', transfers: [...transfers] },
    });
  const readBatch = (api: Api, id: string, position?: string) =>
    api.GET('/v1/transfer-batches/{id}', {
      params: { path: { id }, ...(position === undefined ? {} : { header: after(position) }) },
    });

  before(async () => {
    system = await startSystem('e2e_batches');
    teller = system.api('teller-batches', ['teller']);
    owner = system.api('bea', ['customer']);
    a = await open('bea');
    b = await open('bea');
    c = await open('carl');
    frozen = await open('carl');
    pounds = await open('carl', 'GBP');
    await deposit(teller, a, '100.00');
    await ok(
      system.api('admin-batches', ['admin']).POST('/v1/accounts/{id}/freeze', {
        params: { path: { id: frozen }, header: command() },
        body: { reason: 'review' },
      }),
    );
  });
  afterAll(() => system?.stop());

  it('applies every leg, later legs seeing earlier ones, as transfers of the batch', async () => {
    const result = await recorded(
      batch([
        { fromAccountId: a, toAccountId: b, amount: '60.00', reference: 'payroll' },
        { fromAccountId: b, toAccountId: c, amount: '50.00' },
      ]),
    );
    assert.equal(result.mode, 'atomic');
    assert.equal(result.status, 'completed');
    assert.deepEqual(
      result.transfers.map((leg) => [leg.index, leg.status]),
      [
        [0, 'completed'],
        [1, 'completed'],
      ],
    );
    assert.deepEqual(await balances(result.position), { a: '40.00', b: '10.00', c: '50.00' });
    const first = result.transfers[0];
    assert.ok(first);
    const transfer = await ok(
      owner.GET('/v1/transfers/{id}', {
        params: { path: { id: first.id }, header: after(result.position) },
      }),
    );
    assert.equal(transfer.batchId, result.id);
    assert.equal(transfer.status, 'completed');
    assert.equal(transfer.reference, 'payroll');
    const entries = await ok(
      owner.GET('/v1/accounts/{id}/transactions', {
        params: { path: { id: b }, header: after(result.position) },
      }),
    );
    assert.deepEqual(
      result.transfers.map((leg) => entries.entries.find((e) => e.transferId === leg.id)?.amount),
      ['60.00', '-50.00'],
    );
  });

  it('shows the batch and its legs right after it is recorded, to its parties and staff', async () => {
    const posted = await recorded(
      batch([
        { fromAccountId: c, toAccountId: a, amount: '1.00' },
        { fromAccountId: c, toAccountId: b, amount: '1.00' },
      ]),
    );
    const { position, ...shape } = posted;
    assert.deepEqual(await ok(readBatch(owner, posted.id, position)), shape);
    assert.deepEqual(await ok(readBatch(teller, posted.id)), shape);
    const stranger = system.api('dora', ['customer']);
    const hidden = await readBatch(stranger, posted.id);
    const missing = await readBatch(stranger, '3f0c3b9e-2a7d-4c1e-9b8f-5d6a7e8f9a0b');
    assert.equal(hidden.response.status, 404);
    assert.deepEqual(hidden.error, { ...missing.error, instance: hidden.error?.instance });
    // Back to where the first test left the accounts.
    await recorded(
      batch([
        { fromAccountId: a, toAccountId: c, amount: '1.00' },
        { fromAccountId: b, toAccountId: c, amount: '1.00' },
      ]),
    );
  });

  it('refuses the whole batch at its first failing leg and records nothing', async () => {
    const before = await system.eventStoreHead();
    for (const [legs, index, code] of [
      [
        [
          { fromAccountId: a, toAccountId: c, amount: '10.00' },
          { fromAccountId: a, toAccountId: frozen, amount: '1.00' },
        ],
        1,
        'ACCOUNT_FROZEN',
      ],
      [
        [
          { fromAccountId: a, toAccountId: b, amount: '40.00' },
          { fromAccountId: a, toAccountId: c, amount: '0.01' },
        ],
        1,
        'INSUFFICIENT_FUNDS',
      ],
      [[{ fromAccountId: a, toAccountId: pounds, amount: '1.00' }], 0, 'CURRENCY_MISMATCH'],
    ] as const) {
      const answer = await batch(legs);
      assert.equal(answer.response.status, 422, JSON.stringify(answer.error ?? answer.data));
      assert.equal(answer.error?.code, code);
      assert.equal(answer.error.field, `transfers[${index}]`);
    }
    assert.deepEqual(await system.eventStoreHead(), before, 'no event was appended');
    const head = (await system.eventStoreHead()).position.toString();
    assert.deepEqual(await balances(head), { a: '40.00', b: '10.00', c: '50.00' });
  });

  it('lets a customer send only from accounts they own', async () => {
    const foreign = await batch(
      [
        { fromAccountId: a, toAccountId: c, amount: '1.00' },
        { fromAccountId: c, toAccountId: a, amount: '1.00' },
      ],
      owner,
    );
    assert.equal(foreign.response.status, 404, JSON.stringify(foreign.error ?? foreign.data));
    const own = await batch([{ fromAccountId: a, toAccountId: c, amount: '1.00' }], owner);
    assert.equal(own.response.status, 201, JSON.stringify(own.error ?? own.data));
  });

  it('takes 1 to 1,000 legs: none or 1,001 is a 400', async () => {
    const leg = { fromAccountId: a, toAccountId: c, amount: '0.01' };
    for (const count of [0, 1001]) {
      // The document's minItems/maxItems are not in its types: the typed client sends these.
      const answer = await batch(Array.from({ length: count }, () => leg));
      const shown = JSON.stringify(answer.error ?? answer.data);
      assert.equal(answer.response.status, 400, `${count} legs: ${shown}`);
      assert.equal(answer.error?.code, 'VALIDATION_FAILED');
    }
  });

  it('replays the first answer for the same Idempotency-Key', async () => {
    const legs = [{ fromAccountId: a, toAccountId: c, amount: '1.00' }];
    const first = await batch(legs, teller, 'batch-replay');
    const again = await batch(legs, teller, 'batch-replay');
    assert.equal(first.response.status, 201);
    assert.equal(again.response.status, 201);
    assert.equal(again.response.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.data, first.data);
    const other = await batch(
      [{ fromAccountId: a, toAccountId: c, amount: '2.00' }],
      teller,
      'batch-replay',
    );
    assert.equal(other.response.status, 422);
    assert.equal(other.error?.code, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('records a batch of 1,000 legs in one transaction of the event store', async () => {
    await deposit(teller, b, '1000.00');
    const legs = Array.from({ length: 1000 }, (_, i) => ({
      fromAccountId: b,
      toAccountId: i % 2 === 0 ? c : a,
      amount: '0.01',
      reference: `leg ${i} ${'x'.repeat(120)}`,
    }));
    const result = await recorded(batch(legs));
    assert.equal(result.transfers.length, 1000);
    const { rows } = await system.schema.pool.query<{ transactions: string; events: string }>(
      `SELECT count(DISTINCT xmin::text)::text AS transactions, count(*)::text AS events
         FROM events WHERE data->>'batchId' = $1 OR data->>'transferId' = ANY($2)`,
      [result.id, result.transfers.map((leg) => leg.id)],
    );
    // Per leg: 4 events on its transfer stream, a debit and a credit on the accounts.
    assert.deepEqual(rows[0], { transactions: '1', events: String(1000 * 6) });
  });
});
