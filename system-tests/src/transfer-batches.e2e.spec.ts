import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { AccountResult, Client, Problem } from './support/client.js';
import type { Schemas } from './support/api.js';
import { startSystem, type System } from './support/system.js';

type BatchResult = Schemas['TransferBatchResult'];
type Batch = Schemas['TransferBatch'];
type Transfer = Schemas['Transfer'];
type Account = Schemas['Account'];

interface Leg {
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: string;
  readonly reference?: string;
}

/** Atomic transfer batches through the gateway: all legs or none, in one append. */
describe('atomic transfer batches', () => {
  let system: System;
  let teller: Client;
  let owner: Client;
  let a: string;
  let b: string;
  let c: string;
  let frozen: string;
  let pounds: string;

  const open = async (ownerId: string, currency = 'EUR'): Promise<string> =>
    (await teller.ok<AccountResult>('/v1/accounts', { currency, ownerId })).account.id;
  const balances = async (position: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const [name, id] of Object.entries({ a, b, c }))
      out[name] = (await teller.read<Account>(`/v1/accounts/${id}`, position)).balance;
    return out;
  };
  const batch = (transfers: readonly Leg[], client = teller) =>
    client.post<BatchResult & Problem>('/v1/transfer-batches', { mode: 'atomic', transfers });

  before(async () => {
    system = await startSystem('e2e_batches');
    teller = system.as('teller-batches', ['teller']);
    owner = system.as('bea', ['customer']);
    a = await open('bea');
    b = await open('bea');
    c = await open('carl');
    frozen = await open('carl');
    pounds = await open('carl', 'GBP');
    await teller.ok(`/v1/accounts/${a}/deposits`, { amount: '100.00' });
    await system.as('admin-batches', ['admin']).ok(`/v1/accounts/${frozen}/freeze`, {
      reason: 'review',
    });
  });
  after(() => system?.stop());

  it('applies every leg, later legs seeing earlier ones, as transfers of the batch', async () => {
    const response = await batch([
      { fromAccountId: a, toAccountId: b, amount: '60.00', reference: 'payroll' },
      { fromAccountId: b, toAccountId: c, amount: '50.00' },
    ]);
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const result = response.body;
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
    const transfer = await owner.read<Transfer>(`/v1/transfers/${first.id}`, result.position);
    assert.equal(transfer.batchId, result.id);
    assert.equal(transfer.status, 'completed');
    assert.equal(transfer.reference, 'payroll');
    const entries = await owner.read<{ entries: { transferId?: string; amount: string }[] }>(
      `/v1/accounts/${b}/transactions`,
      result.position,
    );
    assert.deepEqual(
      result.transfers.map((leg) => entries.entries.find((e) => e.transferId === leg.id)?.amount),
      ['60.00', '-50.00'],
    );
  });

  it('shows the batch and its legs right after it is recorded, to its parties and staff', async () => {
    const posted = await teller.ok<BatchResult>('/v1/transfer-batches', {
      mode: 'atomic',
      transfers: [
        { fromAccountId: c, toAccountId: a, amount: '1.00' },
        { fromAccountId: c, toAccountId: b, amount: '1.00' },
      ],
    });
    const { position, ...batch } = posted;
    const shown = await owner.read<Batch>(`/v1/transfer-batches/${posted.id}`, position);
    assert.deepEqual(shown, batch);
    assert.deepEqual(await teller.read<Batch>(`/v1/transfer-batches/${posted.id}`), batch);
    const stranger = system.as('dora', ['customer']);
    const hidden = await stranger.get<Problem>(`/v1/transfer-batches/${posted.id}`);
    const missing = await stranger.get<Problem>(
      '/v1/transfer-batches/3f0c3b9e-2a7d-4c1e-9b8f-5d6a7e8f9a0b',
    );
    assert.equal(hidden.status, 404);
    assert.deepEqual(hidden.body, { ...missing.body, instance: hidden.body.instance });
    // Back to where the first test left the accounts.
    await teller.ok('/v1/transfer-batches', {
      mode: 'atomic',
      transfers: [
        { fromAccountId: a, toAccountId: c, amount: '1.00' },
        { fromAccountId: b, toAccountId: c, amount: '1.00' },
      ],
    });
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
      const response = await batch(legs);
      assert.equal(response.status, 422, JSON.stringify(response.body));
      assert.equal(response.body.code, code);
      assert.equal(response.body.field, `transfers[${index}]`);
    }
    assert.deepEqual(await system.eventStoreHead(), before, 'no event was appended');
    const head = (await system.eventStoreHead()).position.toString();
    assert.deepEqual(await balances(head), { a: '40.00', b: '10.00', c: '50.00' });
  });

  it('lets a customer send only from accounts they own', async () => {
    const response = await batch(
      [
        { fromAccountId: a, toAccountId: c, amount: '1.00' },
        { fromAccountId: c, toAccountId: a, amount: '1.00' },
      ],
      owner,
    );
    assert.equal(response.status, 404, JSON.stringify(response.body));
    const own = await batch([{ fromAccountId: a, toAccountId: c, amount: '1.00' }], owner);
    assert.equal(own.status, 201, JSON.stringify(own.body));
  });

  it('takes 1 to 1,000 legs: none or 1,001 is a 400', async () => {
    const leg = { fromAccountId: a, toAccountId: c, amount: '0.01' };
    for (const count of [0, 1001]) {
      const response = await batch(Array.from({ length: count }, () => leg));
      assert.equal(response.status, 400, `${count} legs: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.code, 'VALIDATION_FAILED');
    }
  });

  it('replays the first answer for the same Idempotency-Key', async () => {
    const body = {
      mode: 'atomic',
      transfers: [{ fromAccountId: a, toAccountId: c, amount: '1.00' }],
    };
    const first = await teller.post<BatchResult>('/v1/transfer-batches', body, {
      idempotencyKey: 'batch-replay',
    });
    const again = await teller.post<BatchResult>('/v1/transfer-batches', body, {
      idempotencyKey: 'batch-replay',
    });
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    const other = await teller.post<Problem>(
      '/v1/transfer-batches',
      { ...body, transfers: [{ fromAccountId: a, toAccountId: c, amount: '2.00' }] },
      { idempotencyKey: 'batch-replay' },
    );
    assert.equal(other.status, 422);
    assert.equal(other.body.code, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('records a batch of 1,000 legs in one transaction of the event store', async () => {
    await teller.ok(`/v1/accounts/${b}/deposits`, { amount: '1000.00' });
    const legs = Array.from({ length: 1000 }, (_, i) => ({
      fromAccountId: b,
      toAccountId: i % 2 === 0 ? c : a,
      amount: '0.01',
      reference: `leg ${i} ${'x'.repeat(120)}`,
    }));
    const response = await batch(legs);
    assert.equal(response.status, 201, JSON.stringify(response.body).slice(0, 500));
    assert.equal(response.body.transfers.length, 1000);
    const { rows } = await system.schema.pool.query<{ transactions: string; events: string }>(
      `SELECT count(DISTINCT xmin::text)::text AS transactions, count(*)::text AS events
         FROM events WHERE data->>'batchId' = $1 OR data->>'transferId' = ANY($2)`,
      [response.body.id, response.body.transfers.map((leg) => leg.id)],
    );
    // Per leg: 4 events on its transfer stream, a debit and a credit on the accounts.
    assert.deepEqual(rows[0], { transactions: '1', events: String(1000 * 6) });
  });
});
