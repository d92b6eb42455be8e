import { EnvReader, LOG_LEVELS, readCommonConfig, type LogLevel } from '@bank/platform/core';
import type { CommonValues } from './cli/args.js';
import { UsageError } from './cli/exit-codes.js';

/** What the CLI needs of the deployment: the same variables the services read. */
export interface OpsConfig {
  readonly databaseUrl: string;
  readonly eventStoreConnectionString: string | undefined;
  /** Empty when Kafka is not configured (embedded mode). */
  readonly kafkaBrokers: readonly string[];
  readonly kafkaTopic: string;
  /** `<topic>.dlq` unless KAFKA_DLQ_TOPIC says otherwise (as in the projector). */
  readonly kafkaDlqTopic: string;
  readonly logLevel: LogLevel;
}

export const DEFAULT_KAFKA_TOPIC = 'bank.events.v1';

/** Parses the environment once; flags given on the command line win over it. */
export function readOpsConfig(
  flags: CommonValues,
  env: Record<string, string | undefined> = process.env,
): OpsConfig {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader);
  const kafkaTopic = flags['kafka-topic'] ?? reader.string('KAFKA_TOPIC', DEFAULT_KAFKA_TOPIC);
  const config: OpsConfig = {
    databaseUrl: flags['database-url'] ?? common.databaseUrl,
    eventStoreConnectionString:
      flags['eventstore-connection-string'] ?? reader.string('EVENTSTORE_CONNECTION_STRING'),
    kafkaBrokers:
      flags['kafka-brokers'] !== undefined
        ? splitList(flags['kafka-brokers'])
        : reader.list('KAFKA_BROKERS'),
    kafkaTopic,
    kafkaDlqTopic: reader.string('KAFKA_DLQ_TOPIC', `${kafkaTopic}.dlq`),
    logLevel: flags['log-level'] !== undefined ? logLevelFlag(flags['log-level']) : common.logLevel,
  };
  reader.done();
  return config;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function logLevelFlag(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new UsageError(
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as LogLevel;
}
