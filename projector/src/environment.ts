import {
  EnvReader,
  readCommonConfig,
  readKafkaSecurity,
  type CommonConfig,
  type KafkaSecurity,
} from '@bank/platform';

export const PROJECTOR_ROLES = ['all', 'relay', 'consumer'] as const;
export type ProjectorRole = (typeof PROJECTOR_ROLES)[number];

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** KAFKA_SSL* / KAFKA_SASL_*: TLS and SASL, passed through to kafkajs. */
  readonly security: KafkaSecurity;
  readonly topic: string;
  /** `<topic>.dlq` */
  readonly dlqTopic: string;
  /** Partitions of the topics when this projector creates them. */
  readonly partitions: number;
  readonly groupId: string;
  /** How soon the group notices a dead consumer (the broker's minimum is 6000). */
  readonly sessionTimeoutMs: number;
  /**
   * Partitions one consumer works on at once; their chunks share one transaction. 0 (the
   * default): all of the topic's partitions.
   */
  readonly partitionsConsumedConcurrently: number;
  /**
   * Consumer offsets are committed at most this often (0: after every transaction). A restart
   * or rebalance redelivers what was applied since, which the revision check skips.
   */
  readonly commitIntervalMs: number;
}

export interface ProjectorConfig extends CommonConfig {
  /** Kafka mode (relay and/or consumer) when set; embedded mode (store → views directly) when not. */
  readonly kafka: KafkaConfig | undefined;
  readonly role: ProjectorRole;
  /** EventStoreDB when set; otherwise the PostgreSQL event store at DATABASE_URL. */
  readonly eventStoreConnectionString: string | undefined;
  /** Most events per transaction (and per relay send). */
  readonly batchSize: number;
  /**
   * How long the relay (or the embedded projector) waits to fill a batch once it has one event.
   * Each batch costs a Kafka produce and fetch and a projector transaction whatever its size, so
   * under load a longer wait is less CPU per event; it adds at most this much to the lag.
   */
  readonly relayLingerMs: number;
  /** How often the relay stores its checkpoint (a crash re-sends what was relayed since). */
  readonly relayCheckpointIntervalMs: number;
}

/** Parses the projector's settings once; every problem is reported together (ConfigError). */
export function readProjectorConfig(
  env: Record<string, string | undefined> = process.env,
): ProjectorConfig {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader);
  const brokers = reader.list('KAFKA_BROKERS');
  const topic = reader.string('KAFKA_TOPIC', 'bank.events.v1');
  const kafka: KafkaConfig = {
    brokers,
    clientId: reader.string('KAFKA_CLIENT_ID', 'bank-projector'),
    security: readKafkaSecurity(reader),
    topic,
    dlqTopic: reader.string('KAFKA_DLQ_TOPIC', `${topic}.dlq`),
    partitions: reader.int('KAFKA_PARTITIONS', 6, { min: 1, max: 1000 }),
    groupId: reader.string('KAFKA_GROUP_ID', 'bank-projector'),
    sessionTimeoutMs: reader.int('KAFKA_SESSION_TIMEOUT_MS', 30_000, { min: 6_000, max: 300_000 }),
    partitionsConsumedConcurrently: reader.int('KAFKA_PARTITIONS_CONCURRENCY', 0, {
      min: 0,
      max: 64,
    }),
    commitIntervalMs: reader.int('KAFKA_COMMIT_INTERVAL_MS', 1000, { min: 0, max: 60_000 }),
  };
  const config: ProjectorConfig = {
    ...common,
    kafka: brokers.length > 0 ? kafka : undefined,
    role: reader.oneOf('PROJECTOR_ROLE', PROJECTOR_ROLES, 'all'),
    eventStoreConnectionString: reader.string('EVENTSTORE_CONNECTION_STRING'),
    batchSize: reader.int('BATCH_SIZE', 500, { min: 1, max: 10_000 }),
    relayLingerMs: reader.int('RELAY_LINGER_MS', 20, { min: 0, max: 10_000 }),
    relayCheckpointIntervalMs: reader.int('RELAY_CHECKPOINT_INTERVAL_MS', 1000, {
      min: 0,
      max: 60_000,
    }),
  };
  reader.done();
  return config;
}
