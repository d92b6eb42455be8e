import { extractTraceContext, tracingEnabled, type Logger } from '@bank/platform';
import {
  advanceCheckpoint,
  CHECKPOINTS,
  notifyProjectionAdvanced,
  recordDeadLetters,
  resetWatermarks,
  type DeadLetter,
} from '@bank/read-models';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Knex } from 'knex';
import { applyBatch, type BatchItem } from '../apply/apply-batch.js';
import type { KafkaConfig } from '../environment.js';
import type { ProjectorMetrics } from '../metrics.js';
import { decodeMessage, headerOf } from './decode-message.js';

export interface ConsumerOptions {
  readonly kafka: Kafka;
  readonly knex: Knex;
  readonly config: KafkaConfig;
  /** The topic's partition count: one watermark row each. */
  readonly partitions: number;
  readonly batchSize: number;
  readonly logger: Logger;
  readonly metrics: ProjectorMetrics;
}

interface Letter {
  readonly message: KafkaMessage;
  readonly reason: string;
  readonly error: Error;
}

/**
 * Kafka → read models, in a consumer group. Per chunk of a partition's batch: the events and the
 * partition's watermark commit in ONE transaction (with the NOTIFY, delivered at commit), then
 * poison goes to the DLQ, then the offset is committed. A crash anywhere redelivers the chunk,
 * which the per-stream revision check turns into a no-op.
 */
export class ProjectionConsumer {
  private consumer: Consumer | undefined;
  private dlq: Producer | undefined;
  private crashed: Error | undefined;
  private readonly log: Logger;

  constructor(private readonly options: ConsumerOptions) {
    this.log = options.logger.child({ component: 'consumer' });
  }

  get healthy(): boolean {
    return this.crashed === undefined;
  }

  async start(): Promise<void> {
    const { kafka, knex, config, partitions } = this.options;
    await resetWatermarks(
      knex,
      Array.from({ length: partitions }, (_, p) => CHECKPOINTS.partitionWatermark(p)),
    );
    this.dlq = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await this.dlq.connect();
    const consumer = kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(config.sessionTimeoutMs / 3)),
      rebalanceTimeout: Math.max(config.sessionTimeoutMs, 10_000),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.crashed = payload.error;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [config.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Finishes the chunk in hand, commits it, and leaves the group. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.dlq?.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    for (let i = 0; i < batch.messages.length; i += this.options.batchSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = batch.messages.slice(i, i + this.options.batchSize);
      const lastOffset = chunk.at(-1)?.offset;
      if (lastOffset === undefined) break;
      await this.applyChunk(topic, partition, chunk);
      payload.resolveOffset(lastOffset);
      await payload.commitOffsetsIfNecessary({
        topics: [
          { topic, partitions: [{ partition, offset: (BigInt(lastOffset) + 1n).toString() }] },
        ],
      });
      await payload.heartbeat();
    }
    this.options.metrics.consumerLag.set(
      { partition: String(partition) },
      Number(batch.offsetLag()),
    );
  }

  private async applyChunk(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
  ): Promise<void> {
    const { knex, metrics } = this.options;
    const items: BatchItem<KafkaMessage>[] = [];
    const letters: Letter[] = [];
    let watermark: bigint | undefined;
    for (const message of messages) {
      const decoded = decodeMessage(message);
      if (decoded.kind === 'event')
        items.push({
          event: decoded.event,
          source: message,
          trace: tracingEnabled() ? extractTraceContext(message.headers) : undefined,
        });
      else if (decoded.kind === 'watermark') watermark = decoded.position;
      else letters.push({ message, reason: 'decode', error: decoded.error });
    }
    if (this.log.isLevelEnabled('debug')) {
      // The correlation id travels in the message headers; older messages only have it inside.
      for (const { event, source } of items) {
        this.log.debug(
          {
            correlationId: headerOf(source.headers, 'correlation-id') ?? event.correlationId,
            causationId: headerOf(source.headers, 'causation-id'),
            eventId: event.eventId,
            eventType: event.event.type,
            streamId: event.streamId,
            position: event.position.toString(),
            partition,
            offset: source.offset,
          },
          'applying',
        );
      }
    }
    const name = CHECKPOINTS.partitionWatermark(partition);
    const outcome = await applyBatch(items, {
      knex,
      logger: this.log.child({ partition }),
      metrics,
      commit: async (trx, result) => {
        for (const failed of result.failed)
          letters.push({ message: failed.source, reason: failed.reason, error: failed.error });
        if (watermark !== undefined || result.lastOccurredAt !== undefined) {
          await advanceCheckpoint(trx, name, watermark, result.lastOccurredAt);
        }
        await recordDeadLetters(
          trx,
          letters.map((l) => deadLetterRecord(topic, partition, l)),
        );
        if (watermark !== undefined || result.applied > 0)
          await notifyProjectionAdvanced(trx, name, watermark);
      },
    });
    if (letters.length > 0) await this.sendToDlq(topic, partition, letters);
    return void outcome;
  }

  private async sendToDlq(
    topic: string,
    partition: number,
    letters: readonly Letter[],
  ): Promise<void> {
    const { config, metrics } = this.options;
    for (const { message, reason, error } of letters) {
      this.log.error(
        {
          correlationId: headerOf(message.headers, 'correlation-id'),
          partition,
          offset: message.offset,
          reason,
          err: error,
        },
        'message sent to the dead-letter queue',
      );
    }
    await this.dlq?.send({
      topic: config.dlqTopic,
      acks: -1,
      messages: letters.map(({ message, reason, error }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...stringHeaders(message.headers),
          'dlq-reason': reason,
          error: error.message.slice(0, 2000),
          'original-topic': topic,
          'original-partition': String(partition),
          'original-offset': message.offset,
        },
      })),
    });
    for (const { reason } of letters) metrics.dlqMessages.inc({ reason });
  }
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerOf(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function deadLetterRecord(
  topic: string,
  partition: number,
  { message, reason, error }: Letter,
): DeadLetter {
  const position = headerOf(message.headers, 'position');
  const revision = headerOf(message.headers, 'stream-revision');
  return {
    source: `kafka:${topic}/${partition}@${message.offset}`,
    reason,
    error: error.message,
    streamId: headerOf(message.headers, 'stream-id'),
    eventId: headerOf(message.headers, 'event-id'),
    eventType: headerOf(message.headers, 'event-type'),
    position: position && /^[0-9]+$/.test(position) ? BigInt(position) : undefined,
    revision: revision && /^[0-9]+$/.test(revision) ? BigInt(revision) : undefined,
    payload: message.value?.toString('utf8'),
  };
}
