// The infrastructure every integration test stands on: PostgreSQL and a real Kafka broker.
// These fail (never skip) when the infrastructure is missing.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { EachMessagePayload } from 'kafkajs';
import { createTestSchema, type TestSchema } from './postgres.js';
import { createTestTopic, kafkaBrokers, testKafka, type TestTopic } from './kafka.js';
import { waitFor } from './wait-for.js';

describe('PostgreSQL', () => {
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema('infra');
  });
  after(async () => {
    await schema?.drop();
  });

  it('round-trips a row through a table in the test schema', async () => {
    await schema.pool.query(
      'CREATE TABLE probe (id int PRIMARY KEY, amount bigint NOT NULL, note text)',
    );
    await schema.pool.query('INSERT INTO probe VALUES ($1, $2, $3)', [
      1,
      '9007199254740993',
      'héllo',
    ]);
    const { rows } = await schema.pool.query<{ amount: string; note: string; schema: string }>(
      'SELECT amount, note, current_schema() AS schema FROM probe WHERE id = 1',
    );
    // bigint comes back as a string: no precision lost past 2^53.
    assert.deepEqual(rows, [{ amount: '9007199254740993', note: 'héllo', schema: schema.name }]);
  });
});

describe('Kafka', () => {
  let topic: TestTopic | undefined;
  after(async () => {
    await topic?.delete();
  });

  it('delivers messages from an idempotent producer to a consumer group, in order per key', async () => {
    // Set up inside the test, not in a hook, so that missing Kafka counts as a failed test.
    kafkaBrokers(); // a clear error when KAFKA_BROKERS is missing
    topic = await createTestTopic('infra-probe', 3);
    const kafka = testKafka('infra-test');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const keys = ['account-a', 'account-b', 'account-c'];
    const sent = keys.flatMap((key) => [1, 2, 3].map((n) => ({ key, value: `${key}:${n}` })));
    try {
      await producer.send({
        topic: topic.name,
        acks: -1,
        messages: sent.map((m) => ({ ...m, headers: { 'event-id': m.value } })),
      });
    } finally {
      await producer.disconnect();
    }

    // disconnect() waits for the fetch in flight; the default 5 s long poll would make it slow.
    const consumer = kafka.consumer({ groupId: `${topic.name}-group`, maxWaitTimeInMs: 250 });
    const received: Array<{ key: string; value: string; header: string }> = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: topic.name, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }: EachMessagePayload) => {
          received.push({
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
            header: message.headers?.['event-id']?.toString() ?? '',
          });
          return Promise.resolve();
        },
      });
      await waitFor(() => received.length >= sent.length, {
        timeoutMs: 30_000,
        description: `${sent.length} messages consumed`,
      });
    } finally {
      await consumer.disconnect();
    }

    assert.equal(received.length, sent.length);
    for (const key of keys) {
      assert.deepEqual(
        received.filter((m) => m.key === key).map((m) => m.value),
        [`${key}:1`, `${key}:2`, `${key}:3`],
      );
    }
    assert.ok(received.every((m) => m.header === m.value));
  });
});
