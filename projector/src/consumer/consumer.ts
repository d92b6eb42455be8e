import { extractTraceContext, tracingEnabled, type Logger } from '@bank/platform';
import {
  CHECKPOINTS,
  deadLetterStatements,
  resetWatermarks,
  type DeadLetter,
} from '@bank/read-models';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Knex } from 'knex';
import { applyBatch, type BatchItem } from '../apply/apply-batch.js';
import type { KafkaConfig } from '../environment.js';
import type { ProjectorMetrics } from '../metrics.js';
import { decodeMessage, headerOf } from './decode-message.js';
import { GroupCommit } from './group-commit.js';
import { OffsetCommitter, type PartitionOffset } from './offset-committer.js';
import { watermarkRows, watermarkStatements } from './watermarks.js';

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

interface Source {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

interface Letter extends Source {
  readonly reason: string;
  readonly error: Error;
}

/** One partition's share of a fetch, decoded, waiting for its group's transaction. */
interface Chunk {
  readonly payload: EachBatchPayload;
  readonly topic: string;
  readonly partition: number;
  readonly lastOffset: string;
  readonly items: BatchItem<Source>[];
  readonly letters: Letter[];
  /** The highest watermark in the chunk (message or header), if any. */
  readonly watermark: bigint | undefined;
}

/**
 * Kafka → read models, in a consumer group. The chunks of every partition a fetch returned (each
 * partition's batch runs concurrently) are applied in ONE transaction: the events, each
 * partition's watermark row and dead-letter records commit together, with one NOTIFY delivered
 * at commit. Then poison goes to the DLQ, then each partition that is still ours gets its offset
 * committed, all in one request. Streams never span partitions (key = stream id), so the chunks
 * do not conflict. A crash anywhere redelivers the chunks, which the per-stream revision check
 * turns into no-ops; their dead letters are recorded once, and sent to the DLQ again (the topic
 * is at-least-once: nothing is lost between the commit and the send).
 */
export class ProjectionConsumer {
  private consumer: Consumer | undefined;
  private dlq: Producer | undefined;
  private crashed: Error | undefined;
  private stopping = false;
  private readonly log: Logger;
  private readonly group = new GroupCommit<Chunk>((chunks) => this.commitGroup(chunks));
  private readonly offsets: OffsetCommitter;

  constructor(private readonly options: ConsumerOptions) {
    this.log = options.logger.child({ component: 'consumer' });
    this.offsets = new OffsetCommitter(
      options.config.commitIntervalMs,
      async (offsets) =>
        this.consumer?.commitOffsets(
          offsets.map(({ topic, partition, offset }) => ({
            topic,
            partition,
            offset: offset.toString(),
          })),
        ),
      (error) => this.log.warn({ err: error }, 'offset commit failed; retrying with the next'),
    );
  }

  get healthy(): boolean {
    return this.crashed === undefined;
  }

  async start(): Promise<void> {
    const { kafka, knex, partitions } = this.options;
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
    await this.join();
  }

  /** A consumer in the group, subscribed and running. */
  private async join(): Promise<void> {
    const { kafka, config, partitions } = this.options;
    const consumer = kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(config.sessionTimeoutMs / 3)),
      rebalanceTimeout: Math.max(config.sessionTimeoutMs, 10_000),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment;
      this.offsets.retain((topic, partition) => assigned[topic]?.includes(partition) ?? false);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping) return;
      // kafkajs gives up on a consumer after an error it does not retry (a stale generation
      // after the broker restarts, say): it never consumes again. A new one joins in its place.
      this.crashed = payload.error;
      this.log.error(
        { err: payload.error },
        'Kafka consumer crashed; joining again with a new one',
      );
      void this.rejoin(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [config.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every partition at once by default, so a fetch's chunks share one transaction.
      partitionsConsumedConcurrently: config.partitionsConsumedConcurrently || partitions,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Replaces a crashed consumer, retrying with backoff until one runs or the consumer stops. */
  private async rejoin(crashed: Consumer): Promise<void> {
    await crashed.disconnect().catch(() => undefined);
    for (let attempt = 0; !this.stopping; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 10_000)));
      if (this.stopping) return;
      try {
        await this.join();
        this.crashed = undefined;
        this.log.info({ attempt }, 'Kafka consumer joined again after a crash');
        return;
      } catch (error) {
        await this.consumer?.disconnect().catch(() => undefined);
        this.log.warn({ err: error, attempt }, 'could not join the consumer group again; retrying');
      }
    }
  }

  /** Finishes the chunk in hand, commits it and every applied offset, and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.offsets
      .flush()
      .catch((error: unknown) => this.log.warn({ err: error }, 'offset commit failed on stop'));
    await this.consumer?.disconnect();
    this.offsets.stop();
    await this.dlq?.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    for (let i = 0; i < batch.messages.length; i += this.options.batchSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const messages = batch.messages.slice(i, i + this.options.batchSize);
      const lastOffset = messages.at(-1)?.offset;
      if (lastOffset === undefined) break;
      await this.group.submit(this.decodeChunk(payload, topic, partition, lastOffset, messages));
      await payload.heartbeat();
    }
    this.options.metrics.consumerLag.set(
      { partition: String(partition) },
      Number(batch.offsetLag()),
    );
  }

  private decodeChunk(
    payload: EachBatchPayload,
    topic: string,
    partition: number,
    lastOffset: string,
    messages: readonly KafkaMessage[],
  ): Chunk {
    const items: BatchItem<Source>[] = [];
    const letters: Letter[] = [];
    let watermark: bigint | undefined;
    for (const message of messages) {
      const decoded = decodeMessage(message);
      const position = decoded.kind === 'watermark' ? decoded.position : decoded.watermark;
      if (position !== undefined && (watermark === undefined || position > watermark))
        watermark = position;
      if (decoded.kind === 'event')
        items.push({
          event: decoded.event,
          source: { topic, partition, message },
          trace: tracingEnabled() ? extractTraceContext(message.headers) : undefined,
        });
      else if (decoded.kind === 'poison')
        letters.push({ topic, partition, message, reason: 'decode', error: decoded.error });
    }
    if (this.log.isLevelEnabled('debug')) {
      // The correlation id travels in the message headers; older messages only have it inside.
      for (const { event, source } of items) {
        this.log.debug(
          {
            correlationId:
              headerOf(source.message.headers, 'correlation-id') ?? event.correlationId,
            causationId: headerOf(source.message.headers, 'causation-id'),
            eventId: event.eventId,
            eventType: event.event.type,
            streamId: event.streamId,
            position: event.position.toString(),
            partition,
            offset: source.message.offset,
          },
          'applying',
        );
      }
    }
    return { payload, topic, partition, lastOffset, items, letters, watermark };
  }

  /**
   * One transaction for the chunks of several partitions; after it committed, the DLQ, then the
   * offsets of the partitions still assigned to this consumer (a stale chunk's events and
   * watermark are safely in the views, but its offset is no longer ours to commit).
   */
  private async commitGroup(chunks: readonly Chunk[]): Promise<void> {
    const { knex, metrics } = this.options;
    let letters: Letter[] = [];
    await applyBatch(
      chunks.flatMap((chunk) => chunk.items),
      {
        knex,
        logger: this.log,
        metrics,
        commit: (result) => {
          letters = [
            ...chunks.flatMap((chunk) => chunk.letters),
            ...result.failed.map(({ source, reason, error }) => ({ ...source, reason, error })),
          ];
          const rows = watermarkRows(chunks, result.lastOccurredAt !== undefined);
          const moved = rows.some((row) => row.position !== undefined);
          return [
            ...deadLetterStatements(letters.map(deadLetterRecord)),
            ...watermarkStatements(rows, result.lastOccurredAt, moved || result.applied > 0),
          ];
        },
      },
    );
    if (letters.length > 0) await this.sendToDlq(letters);
    let stopping = false;
    for (const chunk of chunks) {
      if (!chunk.payload.isRunning()) stopping = true;
      if (chunk.payload.isStale()) continue;
      chunk.payload.resolveOffset(chunk.lastOffset);
      this.offsets.applied(chunk.topic, chunk.partition, BigInt(chunk.lastOffset) + 1n);
    }
    const first = chunks[0];
    if (first) {
      // Through the batch's own payload: it still commits while the consumer is stopping.
      await this.offsets.maybeCommit(
        (offsets) => first.payload.commitOffsetsIfNecessary(byTopic(offsets)),
        stopping,
      );
    }
  }

  private async sendToDlq(letters: readonly Letter[]): Promise<void> {
    const { config, metrics } = this.options;
    for (const { partition, message, reason, error } of letters) {
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
      messages: letters.map(({ topic, partition, message, reason, error }) => ({
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

function byTopic(offsets: readonly PartitionOffset[]): {
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
} {
  const topics = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const { topic, partition, offset } of offsets) {
    const partitions = topics.get(topic) ?? [];
    topics.set(topic, partitions);
    partitions.push({ partition, offset: offset.toString() });
  }
  return { topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) };
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerOf(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function deadLetterRecord({ topic, partition, message, reason, error }: Letter): DeadLetter {
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
