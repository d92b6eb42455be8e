import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { accountStream } from '@bank/domain';
import { createTestSchema, waitFor, type TestSchema } from '@bank/testkit';
import type { RunningCommandService } from '../index.js';
import {
  call,
  connect,
  ctx,
  openFunded,
  rpc,
  startTestService,
  TELLER,
} from '../testing/harness.js';
import { accountFromStore, streamEvents } from '../testing/store-queries.js';

/**
 * A hold past its expiresAt stops holding money: the expiry worker appends HoldExpired, once,
 * even with two instances racing for it; a hold captured before it expires is left alone.
 */
describe('hold expiry', () => {
  let schema: TestSchema;
  const services: RunningCommandService[] = [];

  before(async () => {
    schema = await createTestSchema('cmd_hold_expiry');
    for (let i = 0; i < 2; i++) {
      services.push(await startTestService(schema.url, { HOLD_EXPIRY_INTERVAL_MS: '100' }));
    }
  });
  after(async () => {
    for (const service of services) await service.stop();
    await schema.drop();
  });

  it('releases an expired hold exactly once and leaves captured holds alone', async () => {
    const [first] = services;
    assert.ok(first);
    const client = connect(first.port);
    try {
      const accountId = await openFunded(client, '100.00');
      const soon = new Date(Date.now() + 600).toISOString();
      const expiring = await call(client, rpc.placeHold, {
        context: ctx(TELLER),
        accountId,
        amount: '40.00',
        expiresAt: soon,
      });
      const captured = await call(client, rpc.placeHold, {
        context: ctx(TELLER),
        accountId,
        amount: '10.00',
        expiresAt: soon,
      });
      await call(client, rpc.captureHold, {
        context: ctx(TELLER),
        accountId,
        holdId: captured.holdId,
      });
      assert.equal(expiring.account?.available, '60.00');

      await waitFor(
        async () => {
          const state = await accountFromStore(schema.pool, accountId);
          return state.status !== 'none' && state.heldTotal === 0n;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      // Give the second instance a few more passes to (not) expire it again.
      await new Promise((resolve) => setTimeout(resolve, 500));

      const events = await streamEvents(schema.pool, accountStream(accountId));
      const expiries = events.filter((e) => e.type === 'HoldExpired');
      assert.equal(expiries.length, 1);
      assert.equal(expiries[0]?.data['holdId'], expiring.holdId);
      const state = await accountFromStore(schema.pool, accountId);
      assert.ok(state.status !== 'none');
      assert.equal(state.balance, 9000n);
      assert.equal(state.heldTotal, 0n);
    } finally {
      client.close();
    }
  });
});
