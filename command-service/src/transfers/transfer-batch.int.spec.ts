import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import { grpc, METADATA } from '@bank/platform';
import {
  call,
  connect,
  ctx,
  openFunded,
  rejectsWith,
  rpc,
  startTestService,
  TELLER,
} from '../testing/harness.js';
import { describeCost, measureStoreCost } from '../testing/store-cost.js';
import { totalBalance } from '../testing/store-queries.js';

const LEGS = 100;
const QUIET = { TRANSFER_RECOVERY_INTERVAL_MS: '3600000', HOLD_EXPIRY_INTERVAL_MS: '3600000' };

describe('atomic transfer batches on the PostgreSQL store', () => {
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema('cmd_transfer_batch');
  });
  after(() => schema.drop());

  it(`records a batch of ${LEGS} transfers in one durable append`, async (t) => {
    const service = await startTestService(schema.url, QUIET);
    const client = connect(service.port);
    try {
      const accounts = [
        await openFunded(client, '1000.00'),
        await openFunded(client, '1000.00'),
        await openFunded(client, '1000.00'),
      ];
      const transfers = Array.from({ length: LEGS }, (_, i) => ({
        fromAccountId: accounts[i % 3] ?? '',
        toAccountId: accounts[(i + 1) % 3] ?? '',
        amount: '1.00',
        reference: `leg ${i}`,
      }));
      let legs = 0;
      const cost = await measureStoreCost(schema.pool, async () => {
        const reply = await call(client, rpc.requestTransferBatch, {
          context: ctx(TELLER),
          mode: 'atomic',
          transfers,
        });
        assert.equal(reply.status, 'completed');
        legs = reply.transfers.length;
      });
      t.diagnostic(`atomic batch of ${LEGS}: ${describeCost(cost, 'batch')}`);
      assert.equal(legs, LEGS);
      assert.equal(cost.writeTransactions, 1, 'one transaction writes the whole batch');
      assert.equal(cost.roundTrips, 1, 'one statement: the append (accounts cached, legs new)');
      const { rows } = await schema.pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM events WHERE data->>'batchId' IS NOT NULL`,
      );
      assert.equal(rows[0]?.n, String(LEGS), 'every leg records its TransferRequested');
    } finally {
      client.close();
      await service.stop();
    }
  });

  it('conserves money under concurrent batches over the same accounts, on two instances', async () => {
    const services = [
      await startTestService(schema.url, QUIET),
      await startTestService(schema.url, QUIET),
    ];
    const clients = services.map((service) => connect(service.port));
    try {
      const [first] = clients;
      assert.ok(first);
      const accounts: string[] = [];
      for (let i = 0; i < 4; i++) accounts.push(await openFunded(first, '20.00'));
      const before = await totalBalance(schema.pool, accounts);
      const outcomes = await Promise.all(
        Array.from({ length: 24 }, async (_, n) => {
          const client = clients[n % clients.length] ?? first;
          const transfers = [0, 1, 2].map((leg) => ({
            fromAccountId: accounts[(n + leg) % 4] ?? '',
            toAccountId: accounts[(n + leg + 1) % 4] ?? '',
            amount: `${1 + ((n * 7 + leg) % 9)}.00`,
            reference: '',
          }));
          try {
            const reply = await call(client, rpc.requestTransferBatch, {
              context: ctx(TELLER),
              mode: 'atomic',
              transfers,
            });
            return reply.status;
          } catch (error) {
            const code = (error as grpc.ServiceError).metadata?.get(METADATA.errorCode)[0];
            return String(code ?? (error as Error).message);
          }
        }),
      );
      assert.ok(outcomes.includes('completed'), outcomes.join(', '));
      for (const outcome of outcomes)
        assert.ok(
          ['completed', 'INSUFFICIENT_FUNDS', 'CONCURRENCY_CONFLICT'].includes(outcome),
          outcome,
        );
      // Every account's history stays at or above zero available, and no money appeared or vanished.
      assert.equal(await totalBalance(schema.pool, accounts), before);
      const { rows } = await schema.pool.query<{ legs: string; batches: string }>(
        `SELECT count(*)::text AS legs, count(DISTINCT data->>'batchId')::text AS batches
           FROM events WHERE type = 'TransferRequested' AND data->>'batchId' IS NOT NULL
            AND data->>'fromAccountId' = ANY($1)`,
        [accounts],
      );
      const completed = outcomes.filter((o) => o === 'completed').length;
      assert.deepEqual(rows[0], { legs: String(completed * 3), batches: String(completed) });
    } finally {
      for (const client of clients) client.close();
      for (const service of services) await service.stop();
    }
  });

  it('refuses an atomic batch on a store without the multi-stream append', async () => {
    const service = await startTestService(schema.url, {
      ...QUIET,
      EVENT_STORE_MULTI_STREAM_APPEND: 'off',
    });
    const client = connect(service.port);
    try {
      const [a, b] = [await openFunded(client, '10.00'), await openFunded(client, '10.00')];
      const { rows: before } = await schema.pool.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM events',
      );
      const error = await rejectsWith(
        call(client, rpc.requestTransferBatch, {
          context: ctx(TELLER),
          mode: 'atomic',
          transfers: [{ fromAccountId: a, toAccountId: b, amount: '1.00', reference: '' }],
        }),
        grpc.status.FAILED_PRECONDITION,
        { code: 'MULTI_STREAM_APPEND_UNSUPPORTED' },
      );
      assert.match(error.details, /cannot append to several streams atomically/);
      const { rows: afterRows } = await schema.pool.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM events',
      );
      assert.deepEqual(afterRows, before, 'nothing appended');
    } finally {
      client.close();
      await service.stop();
    }
  });
});
