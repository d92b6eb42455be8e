// The Kafka pipeline in-process: event store → relay → Kafka → consumer → read models.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { assertViewsMatch, BankWorkload } from '@bank/read-models/testing';
import { testKafka, waitFor, withKafkaAdmin } from '@bank/testkit';
import { startProjector, type RunningProjector } from './index.js';
import { createTestStack, type TestStack } from './testing/stack.js';

const TABLES = [
  'accounts',
  'ledger_entries',
  'holds',
  'transfers',
  'transfer_status_history',
  'daily_balances',
  'stream_checkpoints',
];

describe('projector pipeline through Kafka', () => {
  let stack: TestStack;
  let projector: RunningProjector | undefined;
  const workload = new BankWorkload(2024, 8);

  before(async () => {
    stack = await createTestStack('pipeline');
  });
  after(async () => {
    await projector?.stop();
    await stack?.close();
  });

  const snapshot = async () =>
    Object.fromEntries(
      await Promise.all(
        TABLES.map(
          async (t) =>
            [t, (await stack.schema.pool.query(`SELECT * FROM ${t} ORDER BY 1, 2`)).rows] as const,
        ),
      ),
    );
  const metric = async (name: string) => {
    const value = (await projector?.metrics.registry.getSingleMetric(name)?.get())?.values[0]
      ?.value;
    return value ?? 0;
  };
  it('relays and projects every kind of event into every view', async () => {
    await stack.append(workload, 400);
    projector = await startProjector(stack.config(), { logger: stack.logger });
    await stack.waitForViews();
    await assertViewsMatch(stack.schema.pool, await stack.allEvents());
    const head = (await stack.store.headPosition()).toString();
    const checkpoints = async () =>
      (
        await stack.schema.pool.query<{ name: string; position: string }>(
          `SELECT name, position::text AS position FROM projection_checkpoints ORDER BY name`,
        )
      ).rows;
    // The relay stores its checkpoint in the background, at most every RELAY_CHECKPOINT_INTERVAL_MS.
    await waitFor(async () => (await checkpoints())[0]?.position === head, {
      timeoutMs: 5_000,
      description: 'the relay checkpoint at the head',
    });
    const rows = await checkpoints();
    assert.deepEqual(rows, [
      { name: 'relay', position: head },
      { name: 'watermark:0', position: head },
      { name: 'watermark:1', position: head },
      { name: 'watermark:2', position: head },
    ]);
    assert.equal(await metric('projector_lag_events'), 0);
    assert.ok((await metric('projector_events_applied_total')) > 400);
  });

  it('keeps up while events keep coming', async () => {
    await stack.append(workload, 100);
    await stack.waitForViews();
    await assertViewsMatch(stack.schema.pool, await stack.allEvents());
  });

  it('changes nothing when every event is delivered a second time', async () => {
    await projector?.stop();
    const before = await snapshot();
    // Rewind the relay: it sends the whole store again, as after a crash just before its checkpoint.
    await stack.schema.pool.query(
      `UPDATE projection_checkpoints SET position = 0 WHERE name = 'relay'`,
    );
    const sizeBefore = await stack.topicSize(stack.topic);
    projector = await startProjector(stack.config(), { logger: stack.logger });
    await waitFor(async () => (await stack.topicSize(stack.topic)) > sizeBefore + 500, {
      timeoutMs: 20_000,
    });
    await waitFor(
      async () =>
        (await metric('projector_events_relayed_total')) >=
        Number(await stack.store.headPosition()),
      {
        timeoutMs: 20_000,
        description: 'the whole store relayed again',
      },
    );
    await stack.waitForConsumed();
    assert.equal(await metric('projector_events_applied_total'), 0);
    assert.deepEqual(await snapshot(), before);
  });

  it('sends poison messages to the DLQ and goes on with the events after them', async () => {
    const kafka = testKafka('poison-producer');
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: stack.topic,
        messages: [
          { key: 'account-x', value: 'not json at all', headers: { 'correlation-id': 'poison-1' } },
          {
            key: 'account-y',
            value: JSON.stringify({
              streamId: 'account-y',
              revision: '0',
              position: '1',
              eventId: 'e',
              type: 'NoSuchEvent',
              data: {},
              metadata: {},
              recordedAt: new Date().toISOString(),
            }),
            headers: { 'event-type': 'NoSuchEvent' },
          },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    await stack.append(workload, 60);
    await stack.waitForViews();
    await assertViewsMatch(stack.schema.pool, await stack.allEvents());
    await waitFor(async () => (await stack.topicSize(`${stack.topic}.dlq`)) === 2, {
      timeoutMs: 10_000,
      description: 'two DLQ messages',
    });

    const consumer = kafka.consumer({ groupId: `${stack.topic}-dlq-reader` });
    const seen: Array<Record<string, string>> = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [`${stack.topic}.dlq`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(
          Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        );
        return Promise.resolve();
      },
    });
    await waitFor(() => seen.length === 2, {
      timeoutMs: 15_000,
      description: 'DLQ messages read back',
    });
    await consumer.disconnect();
    for (const headers of seen) {
      assert.equal(headers['dlq-reason'], 'decode');
      assert.equal(headers['original-topic'], stack.topic);
      assert.match(headers['original-offset'] ?? '', /^[0-9]+$/);
      assert.ok(headers['error']);
    }
    assert.equal(seen.find((h) => h['correlation-id'])?.['correlation-id'], 'poison-1');
    assert.match(seen.map((h) => h['error']).join(' '), /unknown event type "NoSuchEvent"/);
    const { rows } = await stack.schema.pool.query(`SELECT reason FROM projection_dead_letters`);
    assert.equal(rows.length, 2);
    assert.equal(await metric('projector_dlq_messages_total'), 2);
  });

  it('records each dead letter once when its message is delivered again after a crash', async () => {
    await projector?.stop();
    projector = undefined;
    const before = await snapshot();
    // The offsets rewound to the start: as after a crash between the commit and the offset commit.
    await withKafkaAdmin((admin) =>
      admin.resetOffsets({ groupId: stack.groupId, topic: stack.topic, earliest: true }),
    );
    projector = await startProjector(stack.config(), { logger: stack.logger });
    await stack.waitForConsumed();
    assert.deepEqual(await snapshot(), before);
    const { rows } = await stack.schema.pool.query(`SELECT reason FROM projection_dead_letters`);
    assert.equal(rows.length, 2);
    // The DLQ topic is at-least-once: the redelivered letters went out again.
    assert.equal(await stack.topicSize(`${stack.topic}.dlq`), 4);
  });
});
