// What a projected batch costs the database: round trips and NOTIFYs per batch transaction,
// embedded and through Kafka, counted on the wire of the projector's own pg clients.
import { strict as assert } from 'node:assert';
import { after, before, describe, it, type TestContext } from 'node:test';
import { assertViewsMatch, BankWorkload } from '@bank/read-models/testing';
import { startProjector, type RunningProjector } from './index.js';
import { createTestStack, type TestStack } from './testing/stack.js';
import { TransactionRecorder } from './testing/round-trips.js';

/** The bound a batch must keep, whatever it holds (docs/architecture.md, "Projector"). */
const MAX_ROUND_TRIPS = 3;

for (const kafka of [false, true]) {
  describe(`round trips per projected batch (${kafka ? 'Kafka' : 'embedded'})`, () => {
    let stack: TestStack;
    let projector: RunningProjector | undefined;
    const recorder = new TransactionRecorder();

    before(async () => {
      stack = await createTestStack(kafka ? 'rtkafka' : 'rtembedded', { kafka });
    });
    after(async () => {
      recorder.stop();
      await projector?.stop();
      await stack?.close();
    });

    it(`applies each batch in at most ${MAX_ROUND_TRIPS} round trips and one NOTIFY`, async (t: TestContext) => {
      // Every kind of event (holds, transfers, withdrawals...) in batches of up to 200.
      await stack.append(new BankWorkload(kafka ? 14 : 41, 8), 300);
      recorder.start();
      projector = await startProjector(stack.config(), { logger: stack.logger });
      await stack.waitForViews();
      await projector.stop();
      projector = undefined;
      recorder.stop();
      await assertViewsMatch(stack.schema.pool, await stack.allEvents());

      const batches = recorder.touching('INSERT INTO stream_checkpoints');
      assert.ok(batches.length > 0, 'no projection transaction was recorded');
      const trips = batches.map((tx) => tx.queries.length);
      const notifies = batches.map((tx) => tx.queries.join('\n').split('pg_notify(').length - 1);
      t.diagnostic(
        `${batches.length} batch transactions; round trips max ${Math.max(...trips)}, ` +
          `mean ${(trips.reduce((a, b) => a + b, 0) / trips.length).toFixed(1)}; ` +
          `NOTIFYs max ${Math.max(...notifies)}`,
      );
      assert.ok(
        Math.max(...trips) <= MAX_ROUND_TRIPS,
        `round trips per batch: ${trips.join(', ')}`,
      );
      assert.ok(Math.max(...notifies) <= 1, `NOTIFYs per batch: ${notifies.join(', ')}`);
    });
  });
}
