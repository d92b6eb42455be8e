import type { RecordedEvent } from '@bank/event-store';
import type { Kafka, Producer } from 'kafkajs';
import { toEventMessage } from './event-message.js';
import { withExistingTopic } from './read-topic.js';

/** Sends events to a topic with an idempotent producer (acks=all), as the relay does. */
export class KafkaEventSink {
  private constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  static async open(kafka: Kafka, topic: string): Promise<KafkaEventSink> {
    await withExistingTopic(kafka, topic, () => Promise.resolve());
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    return new KafkaEventSink(producer, topic);
  }

  async send(events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.producer.send({ topic: this.topic, acks: -1, messages: events.map(toEventMessage) });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
