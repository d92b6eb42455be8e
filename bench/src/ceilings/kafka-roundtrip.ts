import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Message } from 'kafkajs';

export interface KafkaCeilingOptions {
  readonly brokers: string;
  readonly topic: string;
  /** The projector's default. */
  readonly partitions: number;
  readonly durationSeconds: number;
  readonly maxMessages: number;
}

export interface KafkaCeilingResult {
  readonly produced: number;
  readonly consumed: number;
  /** Messages produced per second while producing. */
  readonly produceRate: number;
  /** Messages per second from the first send to the last message consumed. */
  readonly roundTripRate: number;
}

const BATCH = 500;
const KEYS = Array.from({ length: 1000 }, (_, i) => `account-bench-${i}`);

/**
 * Ceiling for the relay path: kafkajs idempotent producer, acks=all (as the relay), batches of
 * 500 keyed ~350-byte messages with headers, into a fresh topic with the projector's partition
 * count; a consumer group reads them back. Rate = messages / (first send → last consumed).
 */
export async function measureKafkaCeiling(
  options: KafkaCeilingOptions,
): Promise<KafkaCeilingResult> {
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
    const payload = randomBytes(120).toString('base64');
    const started = performance.now();
    const deadline = started + options.durationSeconds * 1000;
    let produced = 0;
    while (produced < options.maxMessages && performance.now() < deadline) {
      const messages: Message[] = [];
      for (let i = 0; i < BATCH; i += 1) {
        const n = produced + i;
        messages.push({
          key: KEYS[n % KEYS.length] ?? 'k',
          value: `{"type":"FundsDeposited","position":"${n}","data":{"amount":"100","payload":"${payload}"}}`,
          headers: { 'event-id': String(n), 'event-type': 'FundsDeposited', position: String(n) },
        });
      }
      await producer.send({ topic: options.topic, acks: -1, messages });
      produced += messages.length;
    }
    const produceSeconds = (performance.now() - started) / 1000;
    const drainDeadline = performance.now() + 60_000;
    while (consumed < produced && performance.now() < drainDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const roundTripSeconds =
      ((consumed >= produced ? lastConsumedAt : performance.now()) - started) / 1000;
    return {
      produced,
      consumed,
      produceRate: produced / produceSeconds,
      roundTripRate: Math.min(consumed, produced) / roundTripSeconds,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [options.topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
