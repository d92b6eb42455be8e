import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
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
import { describeCost, measureStoreCost, perUnit, type StoreCost } from '../testing/store-cost.js';

const TRANSFERS = 60;

/** What one transfer costs the PostgreSQL event store, one transfer at a time (see StoreCost). */
async function measure(schema: TestSchema, env: Record<string, string>): Promise<StoreCost> {
  const service = await startTestService(schema.url, {
    ...env,
    // No background pass may run during the measurement.
    TRANSFER_RECOVERY_INTERVAL_MS: '3600000',
    HOLD_EXPIRY_INTERVAL_MS: '3600000',
  });
  const client = connect(service.port);
  try {
    const [a, b] = [await openFunded(client, '1000.00'), await openFunded(client, '1000.00')];
    // Warm: the accounts are cached as they are in a running service.
    await call(client, rpc.requestTransfer, {
      context: ctx(TELLER),
      fromAccountId: a,
      toAccountId: b,
      amount: '1.00',
    });
    const cost = await measureStoreCost(schema.pool, async () => {
      for (let i = 0; i < TRANSFERS; i++) {
        const reply = await call(client, rpc.requestTransfer, {
          context: ctx(TELLER),
          fromAccountId: i % 2 === 0 ? a : b,
          toAccountId: i % 2 === 0 ? b : a,
          amount: '1.00',
        });
        assert.equal(reply.status, 'completed');
      }
    });
    return perUnit(cost, TRANSFERS);
  } finally {
    client.close();
    await service.stop();
  }
}

describe('what one transfer costs the PostgreSQL store', () => {
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema('cmd_transfer_cost');
  });
  after(() => schema.drop());

  it('is one write transaction and one round trip with the atomic append', async (t) => {
    const costs = new Map<string, StoreCost>();
    for (const mode of TRANSFER_MODES) {
      const cost = await measure(schema, mode.env);
      costs.set(mode.name, cost);
      t.diagnostic(`${mode.name}: ${describeCost(cost, 'transfer')}`);
    }
    const [atomic, managed] = TRANSFER_MODES.map((mode) => costs.get(mode.name) as StoreCost);
    assert.ok(atomic && managed);
    assert.equal(atomic.writeTransactions, 1, 'one transaction writes all of a transfer');
    assert.equal(atomic.roundTrips, 1, 'one statement per transfer');
    assert.equal(managed.writeTransactions, 4, 'the process manager appends four times');
  });
});
