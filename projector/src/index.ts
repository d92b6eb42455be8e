import { createEventStore } from '@bank/event-store';
import { createKnex, createLogger, serviceVersion, type Logger } from '@bank/platform';
import { measureProjectionLag, migrateReadModels, readProjectionProgress } from '@bank/read-models';
import type { Knex } from 'knex';
import { ProjectionConsumer } from './consumer/consumer.js';
import { EmbeddedProjector } from './embedded/embedded-projector.js';
import type { ProjectorConfig } from './environment.js';
import { createKafka, ensureTopics } from './infrastructure/kafka.js';
import { ProjectorMetrics } from './metrics.js';
import { createRelay } from './relay/relay.js';

export {
  readProjectorConfig,
  type ProjectorConfig,
  type KafkaConfig,
  type ProjectorRole,
} from './environment.js';
export { ProjectorMetrics } from './metrics.js';

export const SERVICE_VERSION = serviceVersion(import.meta.url);

export interface RunningProjector {
  readonly metrics: ProjectorMetrics;
  /** Readiness: the read-model database answers and no part has failed for good. */
  ready(): Promise<boolean>;
  /** Finishes the batches in hand, commits them, and releases every resource. */
  stop(): Promise<void>;
}

/**
 * Starts the projector in-process: embedded (no Kafka configured), or the Kafka relay and/or
 * consumer according to `config.role`. Resolves once every part has started.
 */
export async function startProjector(
  config: ProjectorConfig,
  options: { logger?: Logger } = {},
): Promise<RunningProjector> {
  const logger =
    options.logger ??
    createLogger({ service: 'projector', level: config.logLevel, version: SERVICE_VERSION });
  const knex = createKnex({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize });
  const stops: Array<() => Promise<void>> = [() => knex.destroy()];
  const healthChecks: Array<() => boolean> = [];
  const stop = async (): Promise<void> => {
    for (const step of stops.splice(0).reverse()) {
      await step().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
    }
  };
  try {
    await migrateReadModels(knex);
    const store = await createEventStore({
      eventStoreConnectionString: config.eventStoreConnectionString,
      databaseUrl: config.databaseUrl,
      // The projector only reads the store; its schema is the command side's. (Running that DDL
      // here while commands append also deadlocks: see the report on the event-store migration.)
      migrate: false,
    });
    stops.push(() => store.close());
    const metrics = new ProjectorMetrics(
      async () => measureProjectionLag(store, await readProjectionProgress(knex)),
      () => countDeadLetters(knex),
    );
    const common = {
      knex,
      databaseUrl: config.databaseUrl,
      batchSize: config.batchSize,
      logger,
      metrics,
    };

    if (!config.kafka) {
      const embedded = new EmbeddedProjector({ ...common, store, lingerMs: config.relayLingerMs });
      await embedded.start();
      stops.push(() => embedded.stop());
      healthChecks.push(() => embedded.healthy);
      logger.info({ mode: 'embedded' }, 'projector started');
    } else {
      const kafka = createKafka(config.kafka, logger, config.logLevel);
      const partitions = await ensureTopics(kafka, config.kafka, logger);
      if (config.role !== 'consumer') {
        const relay = createRelay({
          ...common,
          store,
          kafka,
          topic: config.kafka.topic,
          partitions,
          lingerMs: config.relayLingerMs,
          checkpointIntervalMs: config.relayCheckpointIntervalMs,
        });
        relay.start();
        stops.push(() => relay.stop());
        healthChecks.push(() => relay.healthy);
      }
      if (config.role !== 'relay') {
        const consumer = new ProjectionConsumer({
          ...common,
          kafka,
          config: config.kafka,
          partitions,
        });
        stops.push(() => consumer.stop());
        await consumer.start();
        healthChecks.push(() => consumer.healthy);
      }
      logger.info(
        { mode: 'kafka', role: config.role, topic: config.kafka.topic, partitions },
        'projector started',
      );
    }
    return {
      metrics,
      stop,
      ready: async () => {
        try {
          await knex.raw('SELECT 1');
          return healthChecks.every((healthy) => healthy());
        } catch {
          return false;
        }
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function countDeadLetters(knex: Knex): Promise<number> {
  const [row] = await knex('projection_dead_letters').count({ n: '*' });
  return Number(row?.['n'] ?? 0);
}
