import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import { grpc, METADATA } from '@bank/platform';
import {
  call,
  ADMIN,
  connect,
  ctx,
  customer,
  openFunded,
  rejectsWith,
  rpc,
  startTestService,
  TELLER,
  type Client,
} from '../testing/harness.js';
import { measureStoreCost } from '../testing/store-cost.js';
import { totalBalance } from '../testing/store-queries.js';

const QUIET = { TRANSFER_RECOVERY_INTERVAL_MS: '3600000', HOLD_EXPIRY_INTERVAL_MS: '3600000' };

/** Independent batches, dry runs and reversals, through the command service's gRPC door. */
describe('independent batches, dry runs and reversals on the PostgreSQL store', () => {
  let schema: TestSchema;
  let service: Awaited<ReturnType<typeof startTestService>>;
  let client: Client;
  before(async () => {
    schema = await createTestSchema('cmd_payments');
    service = await startTestService(schema.url, QUIET);
    client = connect(service.port);
  });
  after(async () => {
    client?.close();
    await service?.stop();
    await schema?.drop();
  });

  const eventCount = async (): Promise<string> =>
    (await schema.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events')).rows[0]?.n ??
    '';
  const balanceOf = async (accountId: string): Promise<bigint> =>
    await totalBalance(schema.pool, [accountId]);
  const transfer = (from: string, to: string, amount: string) =>
    call(client, rpc.requestTransfer, {
      context: ctx(TELLER),
      fromAccountId: from,
      toAccountId: to,
      amount,
    });

  it('applies each leg of an independent batch on its own, in one transaction', async () => {
    const [a, b, frozen] = [
      await openFunded(client, '10.00'),
      await openFunded(client, '0'),
      await openFunded(client, '0'),
    ];
    await call(client, rpc.freezeAccount, { context: ctx(ADMIN), accountId: frozen, reason: 'x' });
    const pounds = await openFunded(client, '0', { currency: 'GBP' });
    const context = ctx(TELLER);
    const request = {
      context,
      mode: 'independent',
      transfers: [
        { fromAccountId: a, toAccountId: b, amount: '6.00', reference: '' },
        { fromAccountId: a, toAccountId: b, amount: '6.00', reference: '' },
        { fromAccountId: a, toAccountId: frozen, amount: '1.00', reference: '' },
        { fromAccountId: a, toAccountId: pounds, amount: '1.00', reference: '' },
        { fromAccountId: b, toAccountId: a, amount: '1.00', reference: '' },
      ],
    };
    let answered = '';
    const cost = await measureStoreCost(schema.pool, async () => {
      answered = (await call(client, rpc.requestTransferBatch, request)).status;
    });
    const first = await call(client, rpc.requestTransferBatch, request);
    assert.equal(cost.writeTransactions, 1, 'the batch is one transaction');
    assert.equal(answered, 'partial');
    assert.equal(first.status, 'partial');
    assert.deepEqual(
      first.transfers.map((leg) => [leg.status, leg.code]),
      [
        ['completed', ''],
        ['failed', 'INSUFFICIENT_FUNDS'],
        ['failed', 'ACCOUNT_FROZEN'],
        ['failed', 'CURRENCY_MISMATCH'],
        ['completed', ''],
      ],
    );
    assert.equal(first.replayed, true, 'the same command id again answers from the legs');
    assert.equal(await balanceOf(a), 500n);
    assert.equal(await balanceOf(b), 500n);
    const { rows } = await schema.pool.query<{ type: string; n: string }>(
      `SELECT type, count(*)::text AS n FROM events WHERE data->>'batchId' IS NOT NULL
          AND data->>'fromAccountId' = ANY($1) GROUP BY type`,
      [[a, b]],
    );
    assert.deepEqual(rows, [{ type: 'TransferRequested', n: '5' }], 'every leg is a transfer');
  });

  it('answers a dry run with what would happen and records nothing', async () => {
    const [a, b] = [await openFunded(client, '10.00'), await openFunded(client, '0')];
    const before = await eventCount();
    const single = await call(client, rpc.requestTransfer, {
      context: ctx(TELLER),
      fromAccountId: a,
      toAccountId: b,
      amount: '4.00',
      dryRun: true,
    });
    assert.deepEqual([single.status, single.dryRun, single.position], ['completed', true, '']);
    await rejectsWith(
      call(client, rpc.requestTransfer, {
        context: ctx(TELLER),
        fromAccountId: a,
        toAccountId: b,
        amount: '10.01',
        dryRun: true,
      }),
      grpc.status.FAILED_PRECONDITION,
      { code: 'INSUFFICIENT_FUNDS' },
    );
    const batch = await call(client, rpc.requestTransferBatch, {
      context: ctx(TELLER),
      mode: 'independent',
      dryRun: true,
      transfers: [
        { fromAccountId: a, toAccountId: b, amount: '8.00', reference: '' },
        { fromAccountId: a, toAccountId: b, amount: '8.00', reference: '' },
      ],
    });
    assert.deepEqual(
      [batch.status, batch.dryRun, batch.transfers.map((leg) => leg.code)],
      ['partial', true, ['', 'INSUFFICIENT_FUNDS']],
    );
    await rejectsWith(
      call(client, rpc.requestTransferBatch, {
        context: ctx(TELLER),
        mode: 'atomic',
        dryRun: true,
        transfers: [
          { fromAccountId: a, toAccountId: b, amount: '8.00', reference: '' },
          { fromAccountId: a, toAccountId: b, amount: '8.00', reference: '' },
        ],
      }),
      grpc.status.FAILED_PRECONDITION,
      { code: 'INSUFFICIENT_FUNDS', field: 'transfers[1]' },
    );
    assert.equal(await eventCount(), before, 'no dry run appended anything');
  });

  it('reverses a transfer in parts, never past the original, in one transaction each', async () => {
    const [a, b] = [await openFunded(client, '10.00'), await openFunded(client, '0')];
    const original = await transfer(a, b, '7.00');
    const reverse = (amount: string, actor = TELLER) =>
      call(client, rpc.reverseTransfer, {
        context: ctx(actor),
        transferId: original.transferId,
        amount,
      });
    let part: Awaited<ReturnType<typeof reverse>> | undefined;
    const cost = await measureStoreCost(schema.pool, async () => {
      part = await reverse('2.50');
    });
    assert.equal(cost.writeTransactions, 1, 'reversal and original in one transaction');
    assert.deepEqual(
      [part?.status, part?.amount, part?.reversalOf, part?.fromAccountId, part?.toAccountId],
      ['completed', '2.50', original.transferId, b, a],
    );
    await rejectsWith(reverse('4.51'), grpc.status.FAILED_PRECONDITION, {
      code: 'REVERSAL_EXCEEDS_ORIGINAL',
    });
    await rejectsWith(reverse('1.00', customer('owner-1')), grpc.status.PERMISSION_DENIED);
    const rest = await reverse('');
    assert.equal(rest.amount, '4.50', 'no amount: all that is left');
    await rejectsWith(reverse(''), grpc.status.FAILED_PRECONDITION, {
      code: 'REVERSAL_EXCEEDS_ORIGINAL',
    });
    assert.deepEqual([await balanceOf(a), await balanceOf(b)], [1000n, 0n]);
  });

  it('refuses to reverse a failed transfer or one the destination cannot pay back', async () => {
    const [a, b, c] = [
      await openFunded(client, '10.00'),
      await openFunded(client, '0'),
      await openFunded(client, '0'),
    ];
    await call(client, rpc.freezeAccount, { context: ctx(ADMIN), accountId: c, reason: 'x' });
    const failed = await transfer(a, c, '1.00');
    assert.equal(failed.status, 'failed');
    await rejectsWith(
      call(client, rpc.reverseTransfer, { context: ctx(TELLER), transferId: failed.transferId }),
      grpc.status.FAILED_PRECONDITION,
      { code: 'TRANSFER_NOT_REVERSIBLE' },
    );
    const paid = await transfer(a, b, '3.00');
    await call(client, rpc.withdraw, { context: ctx(TELLER), accountId: b, amount: '2.00' });
    await rejectsWith(
      call(client, rpc.reverseTransfer, { context: ctx(TELLER), transferId: paid.transferId }),
      grpc.status.FAILED_PRECONDITION,
      { code: 'INSUFFICIENT_FUNDS' },
    );
    await rejectsWith(
      call(client, rpc.reverseTransfer, {
        context: ctx(TELLER),
        transferId: '9b2f7c1e-3d4a-4b5c-8d6e-7f8091a2b3c4',
      }),
      grpc.status.NOT_FOUND,
      { code: 'TRANSFER_NOT_FOUND' },
    );
  });

  it('lets concurrent reversals on two instances move back at most the original', async () => {
    const second = await startTestService(schema.url, QUIET);
    const other = connect(second.port);
    try {
      const [a, b] = [await openFunded(client, '10.00'), await openFunded(client, '0')];
      const original = await transfer(a, b, '5.00');
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, async (_, n) => {
          try {
            const reply = await call(n % 2 === 0 ? client : other, rpc.reverseTransfer, {
              context: ctx(TELLER),
              transferId: original.transferId,
              amount: '1.00',
            });
            return reply.status;
          } catch (error) {
            return String((error as grpc.ServiceError).metadata?.get(METADATA.errorCode)[0]);
          }
        }),
      );
      const completed = outcomes.filter((o) => o === 'completed').length;
      for (const outcome of outcomes)
        assert.ok(
          [
            'completed',
            'REVERSAL_EXCEEDS_ORIGINAL',
            'CONCURRENCY_CONFLICT',
            'INSUFFICIENT_FUNDS',
          ].includes(outcome),
          outcome,
        );
      // A refusal is decided on its streams read one after another: one that read the original
      // before the fifth reversal landed and the payer after it finds the payer emptied by them,
      // a true refusal too, but only once all five have moved the money back.
      if (outcomes.includes('INSUFFICIENT_FUNDS')) assert.equal(completed, 5, outcomes.join(', '));
      // Each reversal that lost every retry may leave the original short of full reversal.
      const gaveUp = outcomes.filter((o) => o === 'CONCURRENCY_CONFLICT').length;
      assert.ok(completed <= 5 && completed >= Math.min(5, 12 - gaveUp), outcomes.join(', '));
      const moved = BigInt(completed) * 100n;
      assert.deepEqual([await balanceOf(a), await balanceOf(b)], [500n + moved, 500n - moved]);
    } finally {
      other.close();
      await second.stop();
    }
  });
});
