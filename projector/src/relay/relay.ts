import type { EventStore, RecordedEvent } from '@bank/event-store';
import {
  extractTraceContext,
  failSpan,
  SpanKind,
  startSpan,
  traceparentOf,
  tracingEnabled,
  type Logger,
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
  const { knex, kafka, topic, partitions, logger, metrics } = options;
  const log = logger.child({ component: 'relay' });
  let producer: Producer | undefined;
  const checkpoint = new CheckpointWriter(
    (position) => advanceCheckpoint(knex, CHECKPOINTS.relay, position),
    options.checkpointIntervalMs,
    (error) => log.warn({ err: error }, 'relay checkpoint write failed; retrying with the next'),
  );

  const handle = async (batch: readonly RecordedEvent[]): Promise<void> => {
    const last = batch.at(-1);
    if (!last || !producer) return;
    const started = process.hrtime.bigint();
    // One publish span per event, child of the append that stored it (tracing only).
    const spans = tracingEnabled()
      ? batch.map((event) =>
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
        )
      : [];
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
    checkpoint.advance(last.position);
    metrics.eventsRelayed.inc(batch.length);
    metrics.batchDuration.observe(
      { stage: 'relay' },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    if (log.isLevelEnabled('debug')) {
      for (const event of batch) {
        log.debug(
          {
            correlationId: event.metadata['correlationId'],
            eventId: event.eventId,
            position: event.position.toString(),
          },
          'relayed',
        );
      }
    }
  };

  return new SubscriptionWorker({
    name: 'relay',
    store: options.store,
    leadership: new Leadership(options.databaseUrl, 'relay', log),
    logger: log,
    batchSize: options.batchSize,
    lingerMs: options.lingerMs,
    checkpoint: async () => (await readCheckpoint(knex, CHECKPOINTS.relay)) ?? 0n,
    handle,
    open: async () => {
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
    },
    close: async () => {
      // What Kafka acknowledged is stored before a restart reads the checkpoint back.
      await checkpoint
        .flush()
        .catch((error: unknown) => log.warn({ err: error }, 'relay checkpoint write failed'));
      // A fresh producer per (re)start: after a failed send, its sequence numbers are suspect.
      await producer?.disconnect().catch(() => undefined);
      producer = undefined;
    },
  });
}
