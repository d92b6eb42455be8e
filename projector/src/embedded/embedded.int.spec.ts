// Embedded mode (no KAFKA_BROKERS): the event store feeds the projection directly.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { assertViewsMatch, BankWorkload } from '@bank/read-models/testing';
import { waitFor } from '@bank/testkit';
import { startProjector, type RunningProjector } from '../index.js';
import { createTestStack, type TestStack } from '../testing/stack.js';

describe('embedded projector', () => {
  let stack: TestStack;
  let projector: RunningProjector | undefined;
  const workload = new BankWorkload(77, 6);

  before(async () => {
    stack = await createTestStack('embedded', { kafka: false });
  });
  after(async () => {
    await projector?.stop();
    await stack?.close();
  });

  it('projects the store into every view without Kafka, and keeps a single watermark', async () => {
    // A Kafka-mode watermark left behind must not survive: it would distort the consistent position.
    projector = await startProjector(stack.config(), { logger: stack.logger });
    await projector.stop();
    await stack.schema.pool.query(
      `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ('watermark:4', 0, now())`,
    );
    await stack.append(workload, 300);
    projector = await startProjector(stack.config(), { logger: stack.logger });
    await stack.waitForViews();
    await assertViewsMatch(stack.schema.pool, await stack.allEvents());
    const { rows } = await stack.schema.pool.query<{ name: string; position: string }>(
      `SELECT name, position::text AS position FROM projection_checkpoints ORDER BY name`,
    );
    const head = (await stack.store.headPosition()).toString();
    assert.deepEqual(rows, [
      { name: 'embedded', position: head },
      { name: 'watermark:embedded', position: head },
    ]);
    assert.equal(await projector.ready(), true);
  });

  it('follows new events live and NOTIFYs after each commit', async () => {
    const listener = new pg.Client({ connectionString: stack.schema.url });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (n) => notified.push(n.payload ?? ''));
    await listener.query('LISTEN bank_projection_advanced');
    try {
      await stack.append(workload, 50);
      await stack.waitForViews();
      await assertViewsMatch(stack.schema.pool, await stack.allEvents());
      const head = (await stack.store.headPosition()).toString();
      await waitFor(
        () => notified.some((p) => (JSON.parse(p) as { position: string }).position === head),
        {
          description: 'a notification at the head',
        },
      );
    } finally {
      await listener.end();
    }
  });

  it('resumes from its checkpoint after a restart, applying nothing twice', async () => {
    await projector?.stop();
    await stack.append(workload, 40);
    projector = await startProjector(stack.config(), { logger: stack.logger });
    await stack.waitForViews();
    await assertViewsMatch(stack.schema.pool, await stack.allEvents());
  });
});
