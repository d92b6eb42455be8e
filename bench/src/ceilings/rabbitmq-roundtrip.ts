import amqp from 'amqplib';
import { measureRoundTrip, type BrokerCeilingResult } from './broker-message.js';

export interface RabbitMqCeilingOptions {
  /** An AMQP 0-9-1 URL, e.g. amqp://guest:guest@127.0.0.1:5672. */
  readonly url: string;
  readonly queue: string;
  readonly durationSeconds: number;
  readonly maxMessages: number;
  /** Unacknowledged deliveries the consumer may hold. */
  readonly prefetch: number;
}

/**
 * The same round trip as the Kafka ceiling, on RabbitMQ with the guarantees the relay would need
 * there: a durable queue, persistent messages, publisher confirms per batch (the broker has
 * written them before the batch counts as sent) and a consumer that acknowledges manually.
 */
export async function measureRabbitMqCeiling(
  options: RabbitMqCeilingOptions,
): Promise<BrokerCeilingResult> {
  const connection = await amqp.connect(options.url);
  let consumed = 0;
  let lastConsumedAt = 0;
  try {
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    await publisher.assertQueue(options.queue, { durable: true });
    await consumer.prefetch(options.prefetch);
    await consumer.consume(
      options.queue,
      (message) => {
        if (message === null) return;
        consumed += 1;
        lastConsumedAt = performance.now();
        consumer.ack(message);
      },
      { noAck: false },
    );
    return await measureRoundTrip(
      options,
      async (messages) => {
        for (const message of messages) {
          publisher.sendToQueue(options.queue, Buffer.from(message.value), {
            persistent: true,
            headers: { ...message.headers, key: message.key },
          });
        }
        await publisher.waitForConfirms();
      },
      () => ({ consumed, lastConsumedAt }),
    );
  } finally {
    const cleanup = await connection.createChannel().catch(() => undefined);
    await cleanup?.deleteQueue(options.queue).catch(() => undefined);
    await connection.close().catch(() => undefined);
  }
}
