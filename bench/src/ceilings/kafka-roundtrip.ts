import { Kafka, logLevel } from 'kafkajs';
import { measureRoundTrip, type BrokerCeilingResult } from './broker-message.js';

export interface KafkaCeilingOptions {
  readonly brokers: string;
  readonly topic: string;
  /** The projector's default. */
  readonly partitions: number;
  readonly durationSeconds: number;
  readonly maxMessages: number;
}

/**
 * Ceiling for the relay path: kafkajs idempotent producer, acks=all (as the relay), batches of
 * keyed messages with headers (broker-message.ts), into a fresh topic with the projector's
 * partition count; a consumer group reads them back.
 */
export async function measureKafkaCeiling(
  options: KafkaCeilingOptions,
): Promise<BrokerCeilingResult> {
  const kafka = new Kafka({
    clientId: 'bench-ceiling',
    brokers: options.brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: options.topic, numPartitions: options.partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${options.topic}-group`, maxWaitTimeInMs: 100 });
  let consumed = 0;
  let lastConsumedAt = 0;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        consumed += batch.messages.length;
        lastConsumedAt = performance.now();
        await Promise.resolve();
      },
    });
    return await measureRoundTrip(
      options,
      async (messages) => {
        await producer.send({ topic: options.topic, acks: -1, messages: [...messages] });
      },
      () => ({ consumed, lastConsumedAt }),
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [options.topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
