import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import {
  accountStream,
  evolveAccount,
  initialAccountState,
  type AccountEvent,
  type AccountState,
} from '@bank/domain';
import type { grpc } from '@bank/platform';
import { METADATA } from '@bank/platform';
import { createTestSchema, waitFor, type TestSchema } from '@bank/testkit';
import type { RunningCommandService } from './index.js';
import { decodeStored } from './infrastructure/stream-loader.js';
import {
  call,
  connect,
  ctx,
  openFunded,
  rpc,
  startTestService,
  TELLER,
  ADMIN,
  TRANSFER_MODES,
  type Client,
} from './testing/harness.js';
import {
  eventsOfType,
  streamEvents,
  totalBalance,
  transferFromStore,
} from './testing/store-queries.js';

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(
  count: number,
  limit: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) results[i] = await task(i);
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/** A small seeded PRNG so a failing run can be repeated. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const mode of TRANSFER_MODES)
  describe(`commands under concurrency, transfers through ${mode.name}`, () => {
    let schema: TestSchema;
    let service: RunningCommandService;
    let client: Client;

    before(async () => {
      schema = await createTestSchema('cmd_concurrency');
      service = await startTestService(schema.url, { ...mode.env, DATABASE_POOL_SIZE: '16' });
      client = connect(service.port);
    });
    after(async () => {
      client.close();
      await service.stop();
      await schema.drop();
    });

    it('lets exactly 50 of 100 concurrent withdrawals of 10 from 500 succeed', async () => {
      const accountId = await openFunded(client, '500.00');
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, () =>
          call(client, rpc.withdraw, { context: ctx(TELLER), accountId, amount: '10.00' }).then(
            () => 'ok',
            (error: grpc.ServiceError) => String(error.metadata.get(METADATA.errorCode)[0]),
          ),
        ),
      );
      assert.equal(outcomes.filter((o) => o === 'ok').length, 50);
      assert.equal(outcomes.filter((o) => o === 'INSUFFICIENT_FUNDS').length, 50);
      const events = await streamEvents(schema.pool, accountStream(accountId));
      assert.deepEqual(
        events.map((e) => e.revision),
        events.map((_, i) => BigInt(i)),
      );
      let state: AccountState = initialAccountState;
      for (const event of events) state = evolveAccount(state, decodeStored(event) as AccountEvent);
      assert.ok(state.status !== 'none');
      assert.equal(state.balance, 0n);
    });

    it('conserves money over 1,000 random concurrent transfers among 20 accounts', async (t) => {
      const random = mulberry32(20240601);
      const accounts = await pool(20, 8, () => openFunded(client, '1000.00'));
      // Two frozen accounts make some credits fail and exercise the refund path under load.
      for (const accountId of accounts.slice(0, 2)) {
        await call(client, rpc.freezeAccount, { context: ctx(ADMIN), accountId, reason: 'test' });
      }
      const plan = Array.from({ length: 1000 }, () => {
        const from = Math.floor(random() * 20);
        const to = (from + 1 + Math.floor(random() * 19)) % 20;
        const cents = 1 + Math.floor(random() * 30_000);
        return {
          from,
          to,
          amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
        };
      });
      const started = performance.now();
      const replies = await pool(plan.length, 32, (i) => {
        const step = plan[i] ?? assert.fail('no plan');
        return call(client, rpc.requestTransfer, {
          context: ctx(TELLER),
          fromAccountId: accounts[step.from],
          toAccountId: accounts[step.to],
          amount: step.amount,
        }).then(
          (reply) => ({ status: reply.status, transferId: reply.transferId }),
          // A source that plainly cannot pay (frozen, too little) refuses before anything is recorded.
          (error: grpc.ServiceError) => ({
            status: `refused ${String(error.metadata.get(METADATA.errorCode)[0])}`,
            transferId: undefined,
          }),
        );
      });
      const seconds = (performance.now() - started) / 1000;
      t.diagnostic(
        `1000 transfers in ${seconds.toFixed(2)} s = ${(1000 / seconds).toFixed(0)} transfers/s`,
      );

      const statuses = new Map<string, number>();
      for (const reply of replies)
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
      const refused =
        (statuses.get('refused INSUFFICIENT_FUNDS') ?? 0) +
        (statuses.get('refused ACCOUNT_FROZEN') ?? 0);
      assert.equal(
        (statuses.get('completed') ?? 0) + (statuses.get('failed') ?? 0) + refused,
        1000,
      );
      assert.ok((statuses.get('completed') ?? 0) > 0);
      assert.ok((statuses.get('failed') ?? 0) > 0, 'no credit refused by a frozen destination');
      assert.ok(refused > 0, 'no transfer refused up front');

      assert.equal(await totalBalance(schema.pool, accounts), 20n * 100_000n);

      for (const reply of replies.slice(0, 50)) {
        if (reply.transferId === undefined) continue;
        const state = await transferFromStore(schema.pool, reply.transferId);
        assert.equal(state.status, reply.status);
      }
      for (const type of ['TransferDebited', 'TransferCredited', 'TransferRefunded']) {
        const legs = await eventsOfType(schema.pool, type);
        const ids = legs.map((e) => String(e.data['transferId']));
        assert.equal(new Set(ids).size, ids.length, `a ${type} leg landed twice`);
      }
    });

    it('conserves money when two instances transfer between the same accounts both ways', async (t) => {
      // Its recovery worker finishes what a process manager gave up on half-way (see below).
      const other = await startTestService(schema.url, {
        ...mode.env,
        DATABASE_POOL_SIZE: '8',
        TRANSFER_RECOVERY_INTERVAL_MS: '200',
        TRANSFER_RECOVERY_MIN_AGE_MS: '1000',
      });
      const otherClient = connect(other.port);
      try {
        const [a, b] = [await openFunded(client, '300.00'), await openFunded(client, '300.00')];
        const clients = [client, otherClient];
        const outcomes = await pool(300, 24, (i) => {
          const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
          const via = clients[Math.floor(i / 2) % 2] as Client;
          const request =
            i % 10 === 9
              ? call(via, rpc.withdraw, { context: ctx(TELLER), accountId: from, amount: '7.00' })
              : call(via, rpc.requestTransfer, {
                  context: ctx(TELLER),
                  fromAccountId: from,
                  toAccountId: to,
                  amount: `${5 + (i % 40)}.00`,
                });
          return request.then(
            (reply) => ('status' in reply ? reply.status : 'withdrawn'),
            (error: grpc.ServiceError) => String(error.metadata.get(METADATA.errorCode)[0]),
          );
        });
        const counts = new Map<string, number>();
        for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
        t.diagnostic(`outcomes ${JSON.stringify(Object.fromEntries(counts))}`);
        assert.ok((counts.get('completed') ?? 0) > 0);
        // CONCURRENCY_CONFLICT: retries spent on the hot pair; the caller is told to send again.
        const allowed = [
          'completed',
          'withdrawn',
          'INSUFFICIENT_FUNDS',
          'failed',
          'CONCURRENCY_CONFLICT',
        ];
        assert.deepEqual(
          [...counts.keys()].filter((k) => !allowed.includes(k)),
          [],
        );
        if (mode.atomic) {
          assert.equal(counts.get('failed'), undefined, 'nothing is decided on a stale view');
        } else {
          // A process manager that gave up half-way leaves money in flight until recovery.
          await waitFor(
            async () => {
              const ended = new Set(
                [
                  ...(await eventsOfType(schema.pool, 'TransferCompleted')),
                  ...(await eventsOfType(schema.pool, 'TransferFailed')),
                ].map((e) => e.streamId),
              );
              const started = await eventsOfType(schema.pool, 'TransferRequested');
              return started.every((e) => ended.has(e.streamId));
            },
            { timeoutMs: 20_000, description: 'every transfer finished' },
          );
        }
        const total = await totalBalance(schema.pool, [a, b]);
        const withdrawn = BigInt(counts.get('withdrawn') ?? 0) * 700n;
        assert.equal(total + withdrawn, 60_000n, 'money is neither made nor lost');
        const ofPair = (e: { streamId: string }) =>
          [accountStream(a), accountStream(b)].includes(e.streamId);
        const debited = (await eventsOfType(schema.pool, 'TransferDebited')).filter(ofPair);
        const credited = (await eventsOfType(schema.pool, 'TransferCredited')).filter(ofPair);
        const refunded = (await eventsOfType(schema.pool, 'TransferRefunded')).filter(ofPair);
        assert.equal(
          debited.length - refunded.length,
          credited.length,
          'every debit credited or refunded',
        );
        if (mode.atomic) {
          assert.equal(
            debited.length,
            counts.get('completed') ?? 0,
            'one debit per completed transfer',
          );
          assert.equal(refunded.length, 0);
        }
      } finally {
        otherClient.close();
        await other.stop();
      }
    });
  });
