import type { EventStore, RecordedEvent } from '@bank/event-store';
import { extractTraceContext, tracingEnabled, type Logger } from '@bank/platform';
import {
  advanceCheckpointStatement,
  CHECKPOINTS,
  deadLetterStatements,
  notifyStatement,
  readCheckpoint,
  resetWatermarks,
  toProjectionEvent,
  type DeadLetter,
} from '@bank/read-models';
import type { Knex } from 'knex';
import { applyBatch, type BatchItem } from '../apply/apply-batch.js';
import { Leadership } from '../infrastructure/leadership.js';
import { SubscriptionWorker } from '../infrastructure/subscription-worker.js';
import type { ProjectorMetrics } from '../metrics.js';

export interface EmbeddedOptions {
  readonly store: EventStore;
  readonly knex: Knex;
  readonly databaseUrl: string;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly logger: Logger;
  readonly metrics: ProjectorMetrics;
}

/**
 * Without Kafka: the same projection, fed straight from the event store. Each batch, its
 * `embedded` checkpoint and the single watermark `watermark:embedded` commit in one transaction;
 * events that cannot be applied are recorded in projection_dead_letters (there is no DLQ topic).
 */
export class EmbeddedProjector {
  private readonly worker: SubscriptionWorker;

  constructor(private readonly options: EmbeddedOptions) {
    const { knex, metrics } = options;
    const log = options.logger.child({ component: 'embedded' });
    this.worker = new SubscriptionWorker({
      name: 'embedded',
      store: options.store,
      leadership: new Leadership(options.databaseUrl, 'embedded', log),
      logger: log,
      batchSize: options.batchSize,
      lingerMs: options.lingerMs,
      checkpoint: async () => (await readCheckpoint(knex, CHECKPOINTS.embedded)) ?? 0n,
      handle: async (batch: readonly RecordedEvent[]) => {
        const last = batch.at(-1);
        if (!last) return;
        const items: BatchItem<RecordedEvent>[] = [];
        const letters: DeadLetter[] = [];
        for (const recorded of batch) {
          try {
            items.push({
              event: toProjectionEvent(recorded),
              source: recorded,
              trace: tracingEnabled() ? extractTraceContext(recorded.metadata) : undefined,
            });
          } catch (error) {
            letters.push(deadLetter(recorded, 'decode', error as Error));
          }
        }
        if (log.isLevelEnabled('debug')) {
          for (const { source } of items) {
            log.debug(
              {
                correlationId: source.metadata['correlationId'],
                causationId: source.metadata['causationId'],
                eventId: source.eventId,
                eventType: source.type,
                streamId: source.streamId,
                position: source.position.toString(),
              },
              'applying',
            );
          }
        }
        await applyBatch(items, {
          knex,
          logger: log,
          metrics,
          commit: (outcome) => {
            for (const failed of outcome.failed)
              letters.push(deadLetter(failed.source, failed.reason, failed.error));
            const { position } = last;
            return [
              advanceCheckpointStatement(CHECKPOINTS.embedded, position, outcome.lastOccurredAt),
              advanceCheckpointStatement(
                CHECKPOINTS.embeddedWatermark,
                position,
                outcome.lastOccurredAt,
              ),
              ...deadLetterStatements(letters),
              notifyStatement(CHECKPOINTS.embeddedWatermark, position),
            ];
          },
        });
        for (const letter of letters) {
          log.error(
            {
              correlationId: batch.find((e) => e.eventId === letter.eventId)?.metadata[
                'correlationId'
              ],
              ...letter,
              position: letter.position?.toString(),
              revision: letter.revision?.toString(),
            },
            'event dead-lettered',
          );
          metrics.dlqMessages.inc({ reason: letter.reason });
        }
      },
    });
  }

  get healthy(): boolean {
    return this.worker.healthy;
  }

  async start(): Promise<void> {
    await resetWatermarks(this.options.knex, [CHECKPOINTS.embeddedWatermark]);
    this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }
}

function deadLetter(recorded: RecordedEvent, reason: string, error: Error): DeadLetter {
  return {
    source: 'embedded',
    reason,
    error: error.message,
    streamId: recorded.streamId,
    eventId: recorded.eventId,
    eventType: recorded.type,
    position: recorded.position,
    revision: recorded.revision,
    payload: JSON.stringify({ data: recorded.data, metadata: recorded.metadata }),
  };
}
