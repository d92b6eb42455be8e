import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { grpc } from '@bank/platform';
import type { queryTypes } from '@bank/proto';
import { startHarness, type Harness } from '../testing/harness.js';
import { insertAccount } from '../testing/seed.js';

describe('GetTransfer', () => {
  let h: Harness;
  let failed: string;
  let completed: string;

  const get = (request: queryTypes.GetTransferRequest) =>
    h.client.call('GetTransfer', request) as Promise<
      queryTypes.Transfer__Output & { history: queryTypes.TransferStatusChange__Output[] }
    >;

  before(async () => {
    h = await startHarness();
    const pool = h.schema.pool;
    const erin = await insertAccount(pool, { ownerId: 'erin', currency: 'EUR' });
    const frank = await insertAccount(pool, { ownerId: 'frank', currency: 'EUR' });
    failed = randomUUID();
    completed = randomUUID();
    await pool.query(
      `insert into transfers (transfer_id, from_account_id, to_account_id, amount, currency, reference, status,
         failure_reason, revision, requested_at, updated_at) values
       ($1, $3, $4, 12345, 'EUR', 'rent', 'failed', 'destination account is frozen', 4,
        '2024-03-01T09:00:00Z', '2024-03-01T09:00:03Z'),
       ($2, $4, $3, 5, 'EUR', '', 'completed', null, 3, '2024-03-02T09:00:00Z', '2024-03-02T09:00:02Z')`,
      [failed, completed, erin, frank],
    );
    await pool.query(
      `insert into transfer_status_history (transfer_id, revision, status, reason, at) values
       ($1, 1, 'requested', null, '2024-03-01T09:00:00Z'),
       ($1, 2, 'debited', null, '2024-03-01T09:00:01Z'),
       ($1, 3, 'refunding', 'destination account is frozen', '2024-03-01T09:00:02Z'),
       ($1, 4, 'failed', 'destination account is frozen', '2024-03-01T09:00:03Z'),
       ($2, 1, 'requested', null, '2024-03-02T09:00:00Z'),
       ($2, 2, 'debited', null, '2024-03-02T09:00:01Z'),
       ($2, 3, 'completed', null, '2024-03-02T09:00:02Z')`,
      [failed, completed],
    );
  });
  after(() => h.close());

  it('returns a transfer with its status history in order', async () => {
    const transfer = await get({ transferId: failed });
    assert.equal(transfer.transferId, failed);
    assert.equal(transfer.amount, '123.45');
    assert.equal(transfer.currency, 'EUR');
    assert.equal(transfer.reference, 'rent');
    assert.equal(transfer.status, 'failed');
    assert.equal(transfer.failureReason, 'destination account is frozen');
    assert.equal(transfer.requestedAt, '2024-03-01T09:00:00.000Z');
    assert.deepEqual(
      transfer.history.map((c) => [c.status, c.reason, c.at]),
      [
        ['requested', '', '2024-03-01T09:00:00.000Z'],
        ['debited', '', '2024-03-01T09:00:01.000Z'],
        ['refunding', 'destination account is frozen', '2024-03-01T09:00:02.000Z'],
        ['failed', 'destination account is frozen', '2024-03-01T09:00:03.000Z'],
      ],
    );
    assert.equal((await get({ transferId: completed })).amount, '0.05');
  });

  it('is visible to the owner of either account and to no one else', async () => {
    assert.equal(
      (await get({ transferId: failed, options: { restrictToOwner: 'erin' } })).transferId,
      failed,
    );
    assert.equal(
      (await get({ transferId: failed, options: { restrictToOwner: 'frank' } })).transferId,
      failed,
    );
    const stranger = await h.client.failure('GetTransfer', {
      transferId: failed,
      options: { restrictToOwner: 'mallory' },
    });
    const missing = await h.client.failure('GetTransfer', { transferId: randomUUID() });
    assert.equal(stranger.status, grpc.status.NOT_FOUND);
    assert.equal(missing.status, grpc.status.NOT_FOUND);
    assert.equal(stranger.message, missing.message);
  });

  it('rejects a malformed transfer id', async () => {
    const failure = await h.client.failure('GetTransfer', { transferId: '42' });
    assert.equal(failure.status, grpc.status.INVALID_ARGUMENT);
    assert.equal(failure.appError.details.field, 'transfer_id');
  });
});
