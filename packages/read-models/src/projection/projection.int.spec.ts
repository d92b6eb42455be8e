import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import { createKnex } from '@bank/platform';
import type { BankEvent } from '@bank/domain';
import type { Knex } from 'knex';
import { migrateReadModels } from '../migrations.js';
import {
  assertViewsMatch,
  BankWorkload,
  eventToStore,
  MemoryEventLog,
  type StoredEvent,
} from '../testing/index.js';
import { applyEvents } from './apply-events.js';
import { StreamGapError } from './errors.js';
import { toProjectionEvent } from './projection-event.js';

const TABLES = [
  'accounts',
  'ledger_entries',
  'holds',
  'transfers',
  'transfer_status_history',
  'daily_balances',
  'stream_checkpoints',
];

describe('projection into PostgreSQL', () => {
  let schema: TestSchema;
  let knex: Knex;
  const log = new MemoryEventLog();

  before(async () => {
    schema = await createTestSchema('projection');
    knex = createKnex({ databaseUrl: schema.url, poolSize: 4 });
    await migrateReadModels(knex);
  });
  after(async () => {
    await knex?.destroy();
    await schema?.drop();
  });

  const applyInBatches = async (events: readonly StoredEvent[], size: number) => {
    let applied = 0;
    for (let i = 0; i < events.length; i += size) {
      const batch = events.slice(i, i + size).map(toProjectionEvent);
      applied += (await knex.transaction((trx) => applyEvents(trx, batch))).applied;
    }
    return applied;
  };
  const snapshot = async () =>
    Object.fromEntries(
      await Promise.all(
        TABLES.map(
          async (t) =>
            [t, (await schema.pool.query(`SELECT * FROM ${t} ORDER BY 1, 2`)).rows] as const,
        ),
      ),
    );

  it('folds every kind of event into every view, equal to the domain fold', async () => {
    const events = log.run(new BankWorkload(42, 6), 600);
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      'AccountOpened',
      'FundsDeposited',
      'FundsWithdrawn',
      'HoldPlaced',
      'HoldCaptured',
      'HoldReleased',
      'HoldExpired',
      'TransferDebited',
      'TransferCredited',
      'TransferRefunded',
      'TransferCompleted',
      'TransferFailed',
      'AccountFrozen',
    ]) {
      assert.ok(types.has(type), `the workload produced no ${type}`);
    }
    assert.equal(await applyInBatches(events, 37), events.length);
    await assertViewsMatch(schema.pool, log.events);
  });

  it('changes nothing when the same events arrive again, in any batching', async () => {
    const before = await snapshot();
    assert.equal(await applyInBatches(log.events, 500), 0);
    assert.equal(await applyInBatches(log.events.slice(100, 160), 7), 0);
    assert.deepEqual(await snapshot(), before);
  });

  it('applies the new tail of a batch that overlaps what is already applied', async () => {
    const fresh = log.run(new BankWorkload(7, 3), 50);
    assert.equal(
      await applyInBatches([...log.events.slice(-200 - fresh.length)], 1000),
      fresh.length,
    );
    await assertViewsMatch(schema.pool, log.events);
  });

  it('refuses a gap with a StreamGapError and changes nothing', async () => {
    const fresh = log.run(new BankWorkload(9, 1), 4); // open + 3 more on one account
    const before = await snapshot();
    const withoutFirst = fresh.slice(1).map(toProjectionEvent);
    await assert.rejects(
      knex.transaction((trx) => applyEvents(trx, withoutFirst)),
      (error: unknown) => {
        assert.ok(error instanceof StreamGapError);
        assert.equal(error.expectedRevision, 0n);
        return true;
      },
    );
    assert.deepEqual(await snapshot(), before);
    await applyInBatches(fresh, 10);
    await assertViewsMatch(schema.pool, log.events);
  });

  it("keeps a day's money in and out exact past 64 bits (balances stay within them)", async () => {
    // Money in and out of one account all day: the balance stays small, the turnover does not.
    const accountId = randomUUID();
    const streamId = `account-${accountId}`;
    const big = 4_000_000_000_000_000_000n; // 4 × 10^18: three of them pass 2^63
    const events: BankEvent[] = [
      {
        type: 'AccountOpened',
        data: {
          accountId,
          ownerId: 'o',
          currency: 'EUR',
          accountType: 'checking',
          overdraftLimit: 0n,
        },
      },
      { type: 'FundsDeposited', data: { accountId, amount: big } },
      { type: 'FundsWithdrawn', data: { accountId, amount: big } },
      { type: 'FundsDeposited', data: { accountId, amount: big } },
      { type: 'FundsWithdrawn', data: { accountId, amount: big } },
      { type: 'FundsDeposited', data: { accountId, amount: big } },
    ];
    const stored = log.append({
      streamId,
      expectedRevision: undefined,
      events: events.map((event) =>
        eventToStore(event, {
          occurredAt: '2025-03-04T10:00:00.000Z',
          actor: { id: 'teller', roles: ['teller'] },
        }),
      ),
    });
    assert.equal(await applyInBatches(stored, 10), stored.length);
    const { rows } = await schema.pool.query<Record<string, string>>(
      `SELECT total_in::text, total_out::text, closing_balance::text FROM daily_balances
        WHERE account_id = $1`,
      [accountId],
    );
    assert.deepEqual(rows, [
      {
        total_in: (3n * big).toString(),
        total_out: (2n * big).toString(),
        closing_balance: big.toString(),
      },
    ]);
    await assertViewsMatch(schema.pool, log.events);
  });

  it('applies 12,000 events in batches of 500 to the same views (rate as a diagnostic)', async (t) => {
    const bulk = new MemoryEventLog();
    const events = bulk.run(new BankWorkload(1234, 300), 12_000);
    const ownSchema = await createTestSchema('projection_bulk');
    const bulkKnex = createKnex({ databaseUrl: ownSchema.url, poolSize: 2 });
    try {
      await migrateReadModels(bulkKnex);
      const decoded = events.map(toProjectionEvent);
      const started = process.hrtime.bigint();
      for (let i = 0; i < decoded.length; i += 500) {
        const batch = decoded.slice(i, i + 500);
        await bulkKnex.transaction((trx) => applyEvents(trx, batch));
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rate = Math.round(events.length / seconds);
      t.diagnostic(`applied ${events.length} events in ${seconds.toFixed(2)} s: ${rate} events/s`);
      // Speed is the bench's business (docs/benchmarks.md); here only the result counts.
      await assertViewsMatch(ownSchema.pool, events);
    } finally {
      await bulkKnex.destroy();
      await ownSchema.drop();
    }
  });
});
