import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import type { RunningCommandService } from '../index.js';
import {
  call,
  connect,
  ctx,
  openFunded,
  rpc,
  startTestService,
  TELLER,
  type Client,
} from '../testing/harness.js';

/**
 * A transfer appended whole by one instance, whose answer was lost, retried at another instance
 * that knows the accounts (their streams are in its cache, the debit included) but has never
 * seen the transfer's own stream: the retry is a replay of the first answer.
 */
describe('a transfer retried at another instance', () => {
  let schema: TestSchema;
  let first: RunningCommandService;
  let second: RunningCommandService;
  let viaFirst: Client;
  let viaSecond: Client;

  before(async () => {
    schema = await createTestSchema('cs_retry_elsewhere');
    first = await startTestService(schema.url);
    second = await startTestService(schema.url);
    viaFirst = connect(first.port);
    viaSecond = connect(second.port);
  });
  after(async () => {
    viaFirst?.close();
    viaSecond?.close();
    await first?.stop();
    await second?.stop();
    await schema?.drop();
  });

  it('answers the first result, not an internal error', async () => {
    const from = await openFunded(viaFirst, '100.00');
    const to = await openFunded(viaFirst, '100.00');
    const context = ctx(TELLER);
    const request = { fromAccountId: from, toAccountId: to, amount: '10.00' };
    const done = await call(viaFirst, rpc.requestTransfer, { context, ...request });
    assert.equal(done.status, 'completed');
    // The second instance reads both accounts after the transfer: its cache holds the legs.
    for (const accountId of [from, to])
      await call(viaSecond, rpc.withdraw, { context: ctx(TELLER), accountId, amount: '0.01' });

    const retried = await call(viaSecond, rpc.requestTransfer, { context, ...request });
    assert.equal(retried.replayed, true);
    assert.equal(retried.transferId, done.transferId);
    assert.equal(retried.status, 'completed');
  });
});
