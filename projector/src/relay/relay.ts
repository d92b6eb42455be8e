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
import { eventMessage, watermarkMessage } from './messages.js';

export interface RelayOptions {
  readonly store: EventStore;
  readonly knex: Knex;
  readonly kafka: Kafka;
  readonly databaseUrl: string;
  readonly topic: string;
  readonly partitions: number;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly logger: Logger;
  readonly metrics: ProjectorMetrics;
}

/**
 * Event store → Kafka. Follows the store from the `relay` checkpoint, sends each batch with an
 * idempotent producer (acks from all in-sync replicas, one request in flight, so no reordering on
 * retry), followed in the same send by a watermark on every partition, and moves the checkpoint
 * only after Kafka acknowledged. A crash re-sends at most the batch in hand: duplicates, which
 * the consumer ignores, never a lost event.
 */
export function createRelay(options: RelayOptions): SubscriptionWorker {
  const { knex, kafka, topic, partitions, logger, metrics } = options;
  const log = logger.child({ component: 'relay' });
  let producer: Producer | undefined;
  const allPartitions = Array.from({ length: partitions }, (_, p) => p);

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
            messages: [
              ...batch.map((event, i) => eventMessage(event, spans[i] && traceparentOf(spans[i]))),
              ...allPartitions.map((p) => watermarkMessage(p, last.position)),
            ],
          },
        ],
      });
    } catch (error) {
      for (const span of spans) failSpan(span, error);
      throw error;
    } finally {
      for (const span of spans) span?.end();
    }
    await advanceCheckpoint(knex, CHECKPOINTS.relay, last.position);
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
      // A fresh producer per (re)start: after a failed send, its sequence numbers are suspect.
      await producer?.disconnect().catch(() => undefined);
      producer = undefined;
    },
  });
}
