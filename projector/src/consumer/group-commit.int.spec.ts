// The chunks of several partitions that one fetch returns are applied in ONE transaction, which
// also moves every partition's watermark; the offsets are committed after it.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { assertViewsMatch, BankWorkload } from '@bank/read-models/testing';
import { testKafka, withKafkaAdmin } from '@bank/testkit';
import { startProjector, type RunningProjector } from '../index.js';
import { batchMessages } from '../relay/messages.js';
import { createTestStack, type TestStack } from '../testing/stack.js';

describe('consumer group commit', () => {
  let stack: TestStack;
  let consumer: RunningProjector | undefined;

  before(async () => {
    stack = await createTestStack('group_commit');
  });
  after(async () => {
    await consumer?.stop();
    await stack?.close();
  });

  it('applies every partition of a fetch in one transaction and commits the offsets after', async () => {
    await stack.append(new BankWorkload(77, 12), 40);
    const events = await stack.allEvents();
    const head = events.at(-1)?.position ?? 0n;
    // One relay batch on every partition, there before the consumer's first fetch.
    const messages = batchMessages(events, 3);
    assert.deepEqual(new Set(messages.map((m) => m.partition)), new Set([0, 1, 2]));
    const kafka = testKafka('group-commit-producer');
    await withKafkaAdmin((admin) =>
      admin.createTopics({
        topics: [{ topic: stack.topic, numPartitions: 3 }],
        waitForLeaders: true,
      }),
    );
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({ topic: stack.topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }

    consumer = await startProjector(stack.config({ PROJECTOR_ROLE: 'consumer' }), {
      logger: stack.logger,
    });
    await stack.waitForViews();
    await assertViewsMatch(stack.schema.pool, events);
    const { rows } = await stack.schema.pool.query<{ name: string; position: string; tx: string }>(
      `SELECT name, position::text AS position, xmin::text AS tx FROM projection_checkpoints
        WHERE name LIKE 'watermark:%' ORDER BY name`,
    );
    assert.deepEqual(
      rows.map((r) => [r.name, r.position]),
      [0, 1, 2].map((p) => [`watermark:${p}`, head.toString()]),
    );
    assert.equal(new Set(rows.map((r) => r.tx)).size, 1, 'the three watermarks in one transaction');
    const ledger = await stack.schema.pool.query<{ tx: string }>(
      `SELECT DISTINCT xmin::text AS tx FROM stream_checkpoints`,
    );
    assert.deepEqual(
      ledger.rows.map((r) => r.tx),
      [rows[0]?.tx],
      'every stream of every partition in that same transaction',
    );

    // A graceful stop commits the applied offsets (they are otherwise committed at most once a
    // KAFKA_COMMIT_INTERVAL_MS).
    await consumer.stop();
    consumer = undefined;
    await stack.waitForConsumed(10_000);
  });
});
