import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import {
  call,
  connect,
  ctx,
  openFunded,
  rpc,
  startTestService,
  TELLER,
  TRANSFER_MODES,
} from '../testing/harness.js';

const TRANSFERS = 60;

interface Cost {
  readonly roundTrips: number;
  readonly writeTransactions: number;
  readonly walFlushes: number;
  readonly idleWalFlushes: number;
}

/**
 * What one transfer costs the PostgreSQL event store, one transfer at a time: the statements the
 * command service sends (each one round trip; counted on every pg client in this process), the
 * transactions that wrote its events (distinct xmin of the rows), and WAL flushes (pg_stat_wal's
 * wal_sync, cluster-wide, so other sessions on the server add to it: reported, not asserted, with
 * the count over as long a time right after, while this test sends nothing).
 */
async function measure(schema: TestSchema, env: Record<string, string>): Promise<Cost> {
  const service = await startTestService(schema.url, {
    ...env,
    // No background pass may run during the measurement.
    TRANSFER_RECOVERY_INTERVAL_MS: '3600000',
    HOLD_EXPIRY_INTERVAL_MS: '3600000',
  });
  const client = connect(service.port);
  // Every query of every pg client in this process goes through this property.
  const clients = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = clients.query;
  try {
    const [a, b] = [await openFunded(client, '1000.00'), await openFunded(client, '1000.00')];
    // Warm: the accounts are cached as they are in a running service.
    await call(client, rpc.requestTransfer, {
      context: ctx(TELLER),
      fromAccountId: a,
      toAccountId: b,
      amount: '1.00',
    });
    const { rows: startRows } = await schema.pool.query<{ head: string }>(
      'SELECT coalesce(max(position), 0)::text AS head FROM events',
    );
    const head = startRows[0]?.head ?? '0';
    const walBefore = await walSyncs(schema.pool);
    const started = performance.now();
    let statements = 0;
    clients.query = function (this: pg.Client, ...args: unknown[]) {
      statements += 1;
      return query.apply(this, args);
    };
    for (let i = 0; i < TRANSFERS; i++) {
      const reply = await call(client, rpc.requestTransfer, {
        context: ctx(TELLER),
        fromAccountId: i % 2 === 0 ? a : b,
        toAccountId: i % 2 === 0 ? b : a,
        amount: '1.00',
      });
      assert.equal(reply.status, 'completed');
    }
    clients.query = query;
    const walAfter = await walSyncs(schema.pool);
    // The other sessions' flushes over as long again, idle here: an estimate of the noise.
    await new Promise((resolve) => setTimeout(resolve, performance.now() - started));
    const walIdle = (await walSyncs(schema.pool)) - walAfter;
    const { rows } = await schema.pool.query<{ transactions: string }>(
      `SELECT count(DISTINCT xmin::text) AS transactions FROM events WHERE position > $1`,
      [head],
    );
    return {
      roundTrips: statements / TRANSFERS,
      writeTransactions: Number(rows[0]?.transactions) / TRANSFERS,
      walFlushes: Number(walAfter - walBefore) / TRANSFERS,
      idleWalFlushes: Number(walIdle) / TRANSFERS,
    };
  } finally {
    clients.query = query;
    client.close();
    await service.stop();
  }
}

async function walSyncs(db: pg.Pool): Promise<bigint> {
  const { rows } = await db.query<{ wal_sync: string }>('SELECT wal_sync::text FROM pg_stat_wal');
  return BigInt(rows[0]?.wal_sync ?? '0');
}

describe('what one transfer costs the PostgreSQL store', () => {
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema('cmd_transfer_cost');
  });
  after(() => schema.drop());

  it('is one write transaction and one round trip with the atomic append', async (t) => {
    const costs = new Map<string, Cost>();
    for (const mode of TRANSFER_MODES) {
      const cost = await measure(schema, mode.env);
      costs.set(mode.name, cost);
      t.diagnostic(
        `${mode.name}: ${cost.roundTrips.toFixed(2)} round trips, ` +
          `${cost.writeTransactions.toFixed(2)} write transactions, ` +
          `${cost.walFlushes.toFixed(2)} WAL flushes (cluster-wide; ` +
          `${cost.idleWalFlushes.toFixed(2)} over as long idle) per transfer`,
      );
    }
    const [atomic, managed] = TRANSFER_MODES.map((mode) => costs.get(mode.name) as Cost);
    assert.ok(atomic && managed);
    assert.equal(atomic.writeTransactions, 1, 'one transaction writes all of a transfer');
    assert.equal(atomic.roundTrips, 1, 'one statement per transfer');
    assert.equal(managed.writeTransactions, 4, 'the process manager appends four times');
  });
});
