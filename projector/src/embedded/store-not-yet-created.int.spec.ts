// The projector may start before any service created the event table (the services start in
// parallel). It must recover and report ready once the table exists, even while the store stays
// empty: readiness cannot wait for an event that only comes after the stack is ready.
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createEventStore } from '@bank/event-store';
import { createLogger } from '@bank/platform';
import { createTestSchema, waitFor } from '@bank/testkit';
import { readProjectorConfig } from '../environment.js';
import { startProjector, type RunningProjector } from '../index.js';

describe('projector started before the event store exists', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('becomes ready once the table exists, with no event in it', async () => {
    const schema = await createTestSchema('projector_early');
    cleanups.push(() => schema.drop());
    const config = readProjectorConfig({
      DATABASE_URL: schema.url,
      DATABASE_POOL_SIZE: '4',
      LOG_LEVEL: 'silent',
      METRICS_PORT: '0',
      KAFKA_BROKERS: '',
    });
    const projector: RunningProjector = await startProjector(config, {
      logger: createLogger({ service: 'projector-test', level: 'silent' }),
    });
    cleanups.push(() => projector.stop());
    await waitFor(async () => !(await projector.ready()), {
      timeoutMs: 5000,
      description: 'the projector to notice the missing event table',
    });

    const store = await createEventStore({ databaseUrl: schema.url });
    cleanups.push(() => store.close());
    assert.equal(await store.headPosition(), 0n);
    await waitFor(() => projector.ready(), {
      timeoutMs: 10_000,
      description: 'the projector to be ready on an empty store',
    });
  });
});
