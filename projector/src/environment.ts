import { EnvReader, readCommonConfig, type CommonConfig } from '@bank/platform';

export const PROJECTOR_ROLES = ['all', 'relay', 'consumer'] as const;
export type ProjectorRole = (typeof PROJECTOR_ROLES)[number];

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topic: string;
  /** `<topic>.dlq` */
  readonly dlqTopic: string;
  /** Partitions of the topics when this projector creates them. */
  readonly partitions: number;
  readonly groupId: string;
  /** How soon the group notices a dead consumer (the broker's minimum is 6000). */
  readonly sessionTimeoutMs: number;
  /** Partitions one consumer applies at once, each in its own transaction. */
  readonly partitionsConsumedConcurrently: number;
}

export interface ProjectorConfig extends CommonConfig {
  /** Kafka mode (relay and/or consumer) when set; embedded mode (store → views directly) when not. */
  readonly kafka: KafkaConfig | undefined;
  readonly role: ProjectorRole;
  /** EventStoreDB when set; otherwise the PostgreSQL event store at DATABASE_URL. */
  readonly eventStoreConnectionString: string | undefined;
  /** Most events per transaction (and per relay send). */
  readonly batchSize: number;
  /** How long the relay waits to fill a batch once it has one event. */
  readonly relayLingerMs: number;
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
    topic,
    dlqTopic: reader.string('KAFKA_DLQ_TOPIC', `${topic}.dlq`),
    partitions: reader.int('KAFKA_PARTITIONS', 6, { min: 1, max: 1000 }),
    groupId: reader.string('KAFKA_GROUP_ID', 'bank-projector'),
    sessionTimeoutMs: reader.int('KAFKA_SESSION_TIMEOUT_MS', 30_000, { min: 6_000, max: 300_000 }),
    partitionsConsumedConcurrently: reader.int('KAFKA_PARTITIONS_CONCURRENCY', 3, {
      min: 1,
      max: 64,
    }),
  };
  const config: ProjectorConfig = {
    ...common,
    kafka: brokers.length > 0 ? kafka : undefined,
    role: reader.oneOf('PROJECTOR_ROLE', PROJECTOR_ROLES, 'all'),
    eventStoreConnectionString: reader.string('EVENTSTORE_CONNECTION_STRING'),
    batchSize: reader.int('BATCH_SIZE', 500, { min: 1, max: 10_000 }),
    relayLingerMs: reader.int('RELAY_LINGER_MS', 5, { min: 0, max: 10_000 }),
  };
  reader.done();
  return config;
}
