import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import {
  accountStream,
  availableBalance,
  evolveAccount,
  initialAccountState,
  type AccountEvent,
  type AccountState,
} from '@bank/domain';
import type { grpc } from '@bank/platform';
import { METADATA } from '@bank/platform';
import { createTestSchema, type TestSchema } from '@bank/testkit';
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
  type Client,
} from './testing/harness.js';
import { eventsOfType, streamEvents, transferFromStore } from './testing/store-queries.js';

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

describe('commands under concurrency', () => {
  let schema: TestSchema;
  let service: RunningCommandService;
  let client: Client;

  before(async () => {
    schema = await createTestSchema('cmd_concurrency');
    service = await startTestService(schema.url, { DATABASE_POOL_SIZE: '16' });
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
    for (const reply of replies) statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
    t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    const refused =
      (statuses.get('refused INSUFFICIENT_FUNDS') ?? 0) +
      (statuses.get('refused ACCOUNT_FROZEN') ?? 0);
    assert.equal((statuses.get('completed') ?? 0) + (statuses.get('failed') ?? 0) + refused, 1000);
    assert.ok((statuses.get('completed') ?? 0) > 0);
    assert.ok((statuses.get('failed') ?? 0) > 0, 'no credit refused by a frozen destination');
    assert.ok(refused > 0, 'no transfer refused up front');

    let total = 0n;
    for (const accountId of accounts) {
      let state: AccountState = initialAccountState;
      for (const event of await streamEvents(schema.pool, accountStream(accountId))) {
        state = evolveAccount(state, decodeStored(event) as AccountEvent);
        assert.ok(state.status !== 'none');
        assert.ok(availableBalance(state) >= 0n, `available below zero on ${accountId}`);
      }
      assert.ok(state.status !== 'none');
      total += state.balance;
    }
    assert.equal(total, 20n * 100_000n);

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
});
