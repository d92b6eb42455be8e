import { strict as assert } from 'node:assert';
import { after as afterAll, before, describe, it } from 'node:test';
import { after, command, dryRun, ok, recorded, type Api } from './support/api.js';
import { startSystem, type System } from './support/system.js';

/**
 * Independent batches, reversals and dry runs through the whole stack, on the client typed from
 * the gateway's own OpenAPI document. Every read right after a command carries its position and
 * must show it.
 */
describe('independent batches, reversals and dry runs', () => {
  let system: System;
  let teller: Api;
  let admin: Api;
  let owner: Api;
  let a: string;
  let b: string;
  let frozen: string;

  const open = async (ownerId: string): Promise<string> =>
    (
      await ok(
        teller.POST('/v1/accounts', {
          params: { header: command() },
          body: { currency: 'EUR', ownerId },
        }),
        201,
      )
    ).account.id;
  const balance = async (id: string, position: string): Promise<string> =>
    (
      await ok(
        teller.GET('/v1/accounts/{id}', { params: { path: { id }, header: after(position) } }),
      )
    ).balance;

  before(async () => {
    system = await startSystem('e2e_payments');
    teller = system.api('teller-payments', ['teller']);
    admin = system.api('admin-payments', ['admin']);
    owner = system.api('pia', ['customer']);
    a = await open('pia');
    b = await open('pia');
    frozen = await open('quin');
    await ok(
      teller.POST('/v1/accounts/{id}/deposits', {
        params: { path: { id: a }, header: command() },
        body: { amount: '100.00' },
      }),
    );
    await ok(
      admin.POST('/v1/accounts/{id}/freeze', {
        params: { path: { id: frozen }, header: command() },
        body: { reason: 'review' },
      }),
    );
  });
  afterAll(() => system?.stop());

  it('applies each leg of an independent batch on its own and shows every outcome', async () => {
    const result = await recorded(
      owner.POST('/v1/transfer-batches', {
        params: { header: command() },
        body: {
          mode: 'independent',
          transfers: [
            { fromAccountId: a, toAccountId: b, amount: '70.00' },
            { fromAccountId: a, toAccountId: b, amount: '70.00' },
            { fromAccountId: a, toAccountId: frozen, amount: '1.00' },
          ],
        },
      }),
    );
    assert.equal(result.mode, 'independent');
    assert.equal(result.status, 'partial');
    assert.deepEqual(
      result.transfers.map((leg) => [leg.status, leg.code]),
      [
        ['completed', undefined],
        ['failed', 'INSUFFICIENT_FUNDS'],
        ['failed', 'ACCOUNT_FROZEN'],
      ],
    );
    const shown = await ok(
      owner.GET('/v1/transfer-batches/{id}', {
        params: { path: { id: result.id }, header: after(result.position) },
      }),
    );
    const { position: _position, ...batch } = result;
    assert.deepEqual(shown, batch);
    const refused = result.transfers[1];
    assert.ok(refused);
    const leg = await ok(
      owner.GET('/v1/transfers/{id}', {
        params: { path: { id: refused.id }, header: after(result.position) },
      }),
    );
    assert.deepEqual(
      [leg.status, leg.failureReason, leg.batchId],
      ['failed', 'INSUFFICIENT_FUNDS', result.id],
    );
    assert.deepEqual(
      [await balance(a, result.position), await balance(b, result.position)],
      ['30.00', '70.00'],
    );
  });

  it('answers a dry run with what would happen, without a key, recording nothing', async () => {
    const head = await system.eventStoreHead();
    const single = await dryRun(
      owner.POST('/v1/transfers', {
        params: { header: {} },
        body: { fromAccountId: a, toAccountId: b, amount: '5.00', dryRun: true },
      }),
    );
    assert.deepEqual(
      [single.status, single.amount, single.dryRun],
      ['would_completed', '5.00', true],
    );
    const batch = await dryRun(
      owner.POST('/v1/transfer-batches', {
        params: { header: {} },
        body: {
          mode: 'independent',
          dryRun: true,
          transfers: [
            { fromAccountId: a, toAccountId: b, amount: '20.00' },
            { fromAccountId: a, toAccountId: b, amount: '20.00' },
          ],
        },
      }),
    );
    assert.equal(batch.status, 'would_partial');
    assert.deepEqual(
      batch.transfers.map((leg) => [leg.status, leg.code]),
      [
        ['would_completed', undefined],
        ['would_failed', 'INSUFFICIENT_FUNDS'],
      ],
    );
    const refused = await owner.POST('/v1/transfer-batches', {
      params: { header: {} },
      body: {
        mode: 'atomic',
        dryRun: true,
        transfers: [{ fromAccountId: a, toAccountId: b, amount: '30.01' }],
      },
    });
    assert.equal(refused.response.status, 422);
    assert.deepEqual(
      [refused.error?.code, refused.error?.field],
      ['INSUFFICIENT_FUNDS', 'transfers[0]'],
    );
    const keyless = await owner.POST('/v1/transfers', {
      params: { header: {} },
      body: { fromAccountId: a, toAccountId: b, amount: '5.00' },
    });
    assert.equal(keyless.response.status, 400, 'a real transfer still needs its key');
    assert.equal(keyless.error?.field, 'Idempotency-Key');
    assert.deepEqual(await system.eventStoreHead(), head, 'nothing was appended');
  });

  it('reverses a transfer in parts, linked to it, never past it, staff only', async () => {
    const original = await recorded(
      owner.POST('/v1/transfers', {
        params: { header: command() },
        body: { fromAccountId: b, toAccountId: a, amount: '40.00' },
      }),
    );
    const onOriginal = () => ({ path: { id: original.id }, header: command() });
    const forbidden = await owner.POST('/v1/transfers/{id}/reversals', {
      params: onOriginal(),
      body: { amount: '1.00' },
    });
    assert.equal(forbidden.response.status, 403);
    const part = await ok(
      teller.POST('/v1/transfers/{id}/reversals', {
        params: onOriginal(),
        body: { amount: '15.00', reference: 'refund' },
      }),
      201,
    );
    assert.deepEqual(
      [part.status, part.amount, part.reversalOf],
      ['completed', '15.00', original.id],
    );
    const reversal = await ok(
      owner.GET('/v1/transfers/{id}', {
        params: { path: { id: part.id }, header: after(part.position) },
      }),
    );
    assert.deepEqual(
      [reversal.fromAccountId, reversal.toAccountId, reversal.reversalOf, reversal.reference],
      [a, b, original.id, 'refund'],
    );
    const shown = await ok(
      owner.GET('/v1/transfers/{id}', {
        params: { path: { id: original.id }, header: after(part.position) },
      }),
    );
    assert.deepEqual([shown.status, shown.reversedAmount], ['completed', '15.00']);
    const tooMuch = await teller.POST('/v1/transfers/{id}/reversals', {
      params: onOriginal(),
      body: { amount: '25.01' },
    });
    assert.equal(tooMuch.response.status, 422);
    assert.equal(tooMuch.error?.code, 'REVERSAL_EXCEEDS_ORIGINAL');
    // No body: all that is left.
    const rest = await ok(
      teller.POST('/v1/transfers/{id}/reversals', { params: onOriginal() }),
      201,
    );
    assert.equal(rest.amount, '25.00');
    const entries = await ok(
      owner.GET('/v1/accounts/{id}/transactions', {
        params: { path: { id: b }, header: after(rest.position) },
      }),
    );
    assert.deepEqual(
      [part.id, rest.id].map((id) => entries.entries.find((e) => e.transferId === id)?.amount),
      ['15.00', '25.00'],
    );
    assert.deepEqual(
      [await balance(a, rest.position), await balance(b, rest.position)],
      ['30.00', '70.00'],
    );
  });

  it('refuses to reverse a failed transfer', async () => {
    const failed = await recorded(
      owner.POST('/v1/transfers', {
        params: { header: command() },
        body: { fromAccountId: a, toAccountId: frozen, amount: '1.00' },
      }),
    );
    assert.equal(failed.status, 'failed');
    const refused = await teller.POST('/v1/transfers/{id}/reversals', {
      params: { path: { id: failed.id }, header: command() },
    });
    assert.equal(refused.response.status, 422);
    assert.equal(refused.error?.code, 'TRANSFER_NOT_REVERSIBLE');
  });
});
