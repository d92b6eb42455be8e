// SIGKILL the relay (a child process running dist/main.js with PROJECTOR_ROLE=relay) at random
// points while events flow; it may re-send, but the views must end equal to the fold of the store.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { assertViewsMatch, BankWorkload } from '@bank/read-models/testing';
import { startProjector, type RunningProjector } from '../index.js';
import { crashRepeatedly, startChild } from '../testing/child.js';
import { appendInBackground, createTestStack, type TestStack } from '../testing/stack.js';

describe('relay crashes', () => {
  let stack: TestStack;
  let consumer: RunningProjector | undefined;

  before(async () => {
    stack = await createTestStack('relay_crash');
  });
  after(async () => {
    await consumer?.stop();
    await stack?.close();
  });

  it('loses nothing when the relay is SIGKILLed mid-stream, again and again', async () => {
    const workload = new BankWorkload(4242, 10);
    await stack.append(workload, 100);
    consumer = await startProjector(stack.config({ PROJECTOR_ROLE: 'consumer' }), {
      logger: stack.logger,
    });
    const traffic = appendInBackground(stack, workload, 20);
    try {
      await crashRepeatedly(stack, 'relay', 'relay', 4);
    } finally {
      await traffic.stop();
    }
    const survivor = await startChild(stack, 'relay');
    try {
      await stack.waitForViews(30_000);
      await assertViewsMatch(stack.schema.pool, await stack.allEvents());
      const relayed = await stack.topicSize(stack.topic);
      const events = (await stack.allEvents()).length;
      assert.ok(relayed >= events, `topic holds ${relayed} messages for ${events} events`);
    } finally {
      const exit = await survivor.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, survivor.output.slice(-2000));
    }
  });
});
