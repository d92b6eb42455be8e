// SIGKILL the consumer (a child process running dist/main.js with PROJECTOR_ROLE=consumer) at
// random points while events flow; the views must end equal to the fold of the store, with no
// ledger entry missing or doubled.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { assertViewsMatch, BankWorkload } from '@bank/read-models/testing';
import { startProjector, type RunningProjector } from '../index.js';
import { crashRepeatedly, startChild } from '../testing/child.js';
import { appendInBackground, createTestStack, type TestStack } from '../testing/stack.js';

describe('consumer crashes', () => {
  let stack: TestStack;
  let relay: RunningProjector | undefined;

  before(async () => {
    stack = await createTestStack('consumer_crash');
  });
  after(async () => {
    await relay?.stop();
    await stack?.close();
  });

  it('loses and doubles nothing when the consumer is SIGKILLed mid-stream, again and again', async () => {
    const workload = new BankWorkload(31337, 10);
    await stack.append(workload, 100);
    relay = await startProjector(stack.config({ PROJECTOR_ROLE: 'relay' }), {
      logger: stack.logger,
    });
    const traffic = appendInBackground(stack, workload, 20);
    try {
      await crashRepeatedly(stack, 'consumer', 'watermark:%', 3);
    } finally {
      await traffic.stop();
    }
    const survivor = await startChild(stack, 'consumer');
    try {
      await stack.waitForViews(45_000);
      await assertViewsMatch(stack.schema.pool, await stack.allEvents());
    } finally {
      const exit = await survivor.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, survivor.output.slice(-2000));
    }
  });
});
