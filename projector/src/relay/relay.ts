import type { EventStore, RecordedEvent } from '@bank/event-store';
import {
  extractTraceContext,
  failSpan,
  SpanKind,
  startSpan,
  traceparentOf,
  tracingEnabled,
  type Logger,
  type Span,
} from '@bank/platform';
import { advanceCheckpoint, CHECKPOINTS, readCheckpoint } from '@bank/read-models';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Knex } from 'knex';
import { Leadership } from '../infrastructure/leadership.js';
import { SubscriptionWorker } from '../infrastructure/subscription-worker.js';
import type { ProjectorMetrics } from '../metrics.js';
import { CheckpointWriter } from './checkpoint-writer.js';
import { batchMessages } from './messages.js';

export interface RelayOptions {
  readonly store: EventStore;
  readonly knex: Knex;
  readonly kafka: Kafka;
  readonly databaseUrl: string;
  readonly topic: string;
  readonly partitions: number;
  readonly batchSize: number;
  readonly lingerMs: number;
  /** How often the `relay` checkpoint is written (it is written in the background). */
  readonly checkpointIntervalMs: number;
  readonly logger: Logger;
  readonly metrics: ProjectorMetrics;
}

/**
 * Event store → Kafka. Follows the store from the `relay` checkpoint, sends each batch with an
 * idempotent producer (acks from all in-sync replicas, one request in flight, so no reordering on
 * retry) together with the batch's watermark for every partition (a header on the partition's last
 * event of the batch, or a watermark message where the batch has none), and moves the checkpoint
 * only after Kafka acknowledged, in the background at most every `checkpointIntervalMs`. A crash
 * re-sends what was acknowledged since the last checkpoint write: duplicates, which the consumer
 * ignores, never a lost event.
 */
export function createRelay(options: RelayOptions): SubscriptionWorker {
  const log = options.logger.child({ component: 'relay' });
  const relay = new KafkaRelay(options, log);
  return new SubscriptionWorker({
    name: 'relay',
    store: options.store,
    leadership: new Leadership(options.databaseUrl, 'relay', log),
    logger: log,
    batchSize: options.batchSize,
    lingerMs: options.lingerMs,
    checkpoint: () => relay.resumeAfter(),
    handle: (batch) => relay.handle(batch),
    open: () => relay.open(),
    close: () => relay.close(),
  });
}

/** The relay's work for its subscription: a producer per (re)start, a batch at a time. */
class KafkaRelay {
  private producer: Producer | undefined;
  private readonly checkpoint: CheckpointWriter;

  constructor(
    private readonly options: RelayOptions,
    private readonly log: Logger,
  ) {
    this.checkpoint = new CheckpointWriter(
      (position) => advanceCheckpoint(options.knex, CHECKPOINTS.relay, position),
      options.checkpointIntervalMs,
      (error) => log.warn({ err: error }, 'relay checkpoint write failed; retrying with the next'),
    );
  }

  async resumeAfter(): Promise<bigint> {
    return (await readCheckpoint(this.options.knex, CHECKPOINTS.relay)) ?? 0n;
  }

  async open(): Promise<void> {
    this.producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
  }

  async handle(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch.at(-1);
    if (!last || !this.producer) return;
    const started = process.hrtime.bigint();
    await this.send(this.producer, batch);
    this.checkpoint.advance(last.position);
    this.recordRelayed(batch, started);
  }

  async close(): Promise<void> {
    // What Kafka acknowledged is stored before a restart reads the checkpoint back.
    await this.checkpoint
      .flush()
      .catch((error: unknown) => this.log.warn({ err: error }, 'relay checkpoint write failed'));
    // A fresh producer per (re)start: after a failed send, its sequence numbers are suspect.
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }

  /** Sends the batch and its watermarks, acknowledged by all in-sync replicas. */
  private async send(producer: Producer, batch: readonly RecordedEvent[]): Promise<void> {
    const { topic, partitions } = this.options;
    const spans = publishSpans(topic, batch);
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [
          {
            topic,
            messages: batchMessages(
              batch,
              partitions,
              spans.map((span) => span && traceparentOf(span)),
            ),
          },
        ],
      });
    } catch (error) {
      for (const span of spans) failSpan(span, error);
      throw error;
    } finally {
      for (const span of spans) span?.end();
    }
  }

  private recordRelayed(batch: readonly RecordedEvent[], started: bigint): void {
    const { metrics } = this.options;
    metrics.eventsRelayed.inc(batch.length);
    metrics.batchDuration.observe(
      { stage: 'relay' },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    if (!this.log.isLevelEnabled('debug')) return;
    for (const event of batch) {
      this.log.debug(
        {
          correlationId: event.metadata['correlationId'],
          eventId: event.eventId,
          position: event.position.toString(),
        },
        'relayed',
      );
    }
  }
}

/** One publish span per event, child of the append that stored it (none without tracing). */
function publishSpans(topic: string, batch: readonly RecordedEvent[]): Array<Span | undefined> {
  if (!tracingEnabled()) return [];
  return batch.map((event) =>
    startSpan(`${topic} publish`, {
      kind: SpanKind.PRODUCER,
      parent: extractTraceContext(event.metadata),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'bank.event_id': event.eventId,
        'bank.event_type': event.type,
      },
    }),
  );
}
