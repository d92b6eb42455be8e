import { createEventStore, type EventStore } from '@bank/event-store';
import { createKnex, createLogger, serviceVersion, type Logger } from '@bank/platform';
import { measureProjectionLag, migrateReadModels, readProjectionProgress } from '@bank/read-models';
import type { Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import { ProjectionConsumer } from './consumer/consumer.js';
import { EmbeddedProjector } from './embedded/embedded-projector.js';
import type { KafkaConfig, ProjectorConfig } from './environment.js';
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
  const parts = new Parts(logger);
  parts.onStop(() => knex.destroy());
  try {
    await migrateReadModels(knex);
    const store = await openStore(config, parts);
    const metrics = new ProjectorMetrics(
      async () => measureProjectionLag(store, await readProjectionProgress(knex)),
      () => countDeadLetters(knex),
    );
    const common: Common = {
      knex,
      databaseUrl: config.databaseUrl,
      batchSize: config.batchSize,
      logger,
      metrics,
    };
    if (!config.kafka) await startEmbedded(common, store, config, parts);
    else await startOnKafka(common, store, config, config.kafka, parts);
    return { metrics, stop: () => parts.stop(), ready: () => parts.ready(knex) };
  } catch (error) {
    await parts.stop();
    throw error;
  }
}

/** What every part is built with. */
interface Common {
  readonly knex: Knex;
  readonly databaseUrl: string;
  readonly batchSize: number;
  readonly logger: Logger;
  readonly metrics: ProjectorMetrics;
}

/** The started parts: stopped last first, healthy only when all are. */
class Parts {
  private readonly stops: Array<() => Promise<void>> = [];
  private readonly healthChecks: Array<() => boolean> = [];

  constructor(private readonly logger: Logger) {}

  onStop(stop: () => Promise<void>): void {
    this.stops.push(stop);
  }

  watch(healthy: () => boolean): void {
    this.healthChecks.push(healthy);
  }

  async stop(): Promise<void> {
    for (const step of this.stops.splice(0).reverse()) {
      await step().catch((error: unknown) =>
        this.logger.error({ err: error }, 'error while stopping'),
      );
    }
  }

  /** The read-model database answers and no part has failed for good. */
  async ready(knex: Knex): Promise<boolean> {
    try {
      await knex.raw('SELECT 1');
      return this.healthChecks.every((healthy) => healthy());
    } catch {
      return false;
    }
  }
}

async function openStore(config: ProjectorConfig, parts: Parts): Promise<EventStore> {
  const store = await createEventStore({
    eventStoreConnectionString: config.eventStoreConnectionString,
    databaseUrl: config.databaseUrl,
    // The projector only reads the store; its schema is the command side's. (Running that DDL
    // here while commands append also deadlocks: see the report on the event-store migration.)
    migrate: false,
  });
  parts.onStop(() => store.close());
  return store;
}

async function startEmbedded(
  common: Common,
  store: EventStore,
  config: ProjectorConfig,
  parts: Parts,
): Promise<void> {
  const embedded = new EmbeddedProjector({ ...common, store, lingerMs: config.relayLingerMs });
  await embedded.start();
  parts.onStop(() => embedded.stop());
  parts.watch(() => embedded.healthy);
  common.logger.info({ mode: 'embedded' }, 'projector started');
}

/** The relay unless the role is `consumer`, the consumer unless it is `relay`. */
async function startOnKafka(
  common: Common,
  store: EventStore,
  config: ProjectorConfig,
  kafkaConfig: KafkaConfig,
  parts: Parts,
): Promise<void> {
  const kafka = createKafka(kafkaConfig, common.logger, config.logLevel);
  const partitions = await ensureTopics(kafka, kafkaConfig, common.logger);
  const topic: KafkaTopic = { kafka, config: kafkaConfig, partitions };
  if (config.role !== 'consumer') startRelay(common, store, topic, config, parts);
  if (config.role !== 'relay') await startConsumer(common, topic, parts);
  common.logger.info(
    { mode: 'kafka', role: config.role, topic: kafkaConfig.topic, partitions },
    'projector started',
  );
}

/** The Kafka cluster and the events topic, as ensured at start. */
interface KafkaTopic {
  readonly kafka: Kafka;
  readonly config: KafkaConfig;
  readonly partitions: number;
}

function startRelay(
  common: Common,
  store: EventStore,
  { kafka, config: kafkaConfig, partitions }: KafkaTopic,
  config: ProjectorConfig,
  parts: Parts,
): void {
  const relay = createRelay({
    ...common,
    store,
    kafka,
    topic: kafkaConfig.topic,
    partitions,
    lingerMs: config.relayLingerMs,
    checkpointIntervalMs: config.relayCheckpointIntervalMs,
  });
  relay.start();
  parts.onStop(() => relay.stop());
  parts.watch(() => relay.healthy);
}

async function startConsumer(
  common: Common,
  { kafka, config, partitions }: KafkaTopic,
  parts: Parts,
): Promise<void> {
  const consumer = new ProjectionConsumer({ ...common, kafka, config, partitions });
  // Registered before start: a consumer that fails to start is still stopped.
  parts.onStop(() => consumer.stop());
  await consumer.start();
  parts.watch(() => consumer.healthy);
}

async function countDeadLetters(knex: Knex): Promise<number> {
  const [row] = await knex('projection_dead_letters').count({ n: '*' });
  return Number(row?.['n'] ?? 0);
}
