import {
  DEFAULT_DATABASE_URL,
  EnvReader,
  LOG_LEVELS,
  readCommonConfig,
  readKafkaSecurity,
  type KafkaSecurity,
  type LogLevel,
} from '@bank/platform/core';
import type { CommonValues } from './cli/args.js';
import { UsageError } from './cli/exit-codes.js';
import { lookUpStackState } from './stack-state.js';

/** What the CLI needs of the deployment: the same variables the services read. */
export interface OpsConfig {
  readonly databaseUrl: string;
  /** Where databaseUrl came from, said on stderr before the CLI acts on it. */
  readonly databaseSource: string;
  readonly eventStoreConnectionString: string | undefined;
  /** Empty when Kafka is not configured (embedded mode). */
  readonly kafkaBrokers: readonly string[];
  readonly kafkaTopic: string;
  /** `<topic>.dlq` unless KAFKA_DLQ_TOPIC says otherwise (as in the projector). */
  readonly kafkaDlqTopic: string;
  /** KAFKA_SSL* / KAFKA_SASL_*, as the projector reads them. */
  readonly kafkaSecurity: KafkaSecurity;
  readonly logLevel: LogLevel;
}

export const DEFAULT_KAFKA_TOPIC = 'bank.events.v1';

/**
 * Parses the environment once; flags given on the command line win over it. Without
 * --database-url or DATABASE_URL, the system a running `npm start` recorded in its state file
 * (.bank/state.json of the checkout) is the target: its database, event store and Kafka.
 */
export function readOpsConfig(
  flags: CommonValues,
  env: Record<string, string | undefined> = process.env,
): OpsConfig {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader);
  const kafkaTopic = flags['kafka-topic'] ?? reader.string('KAFKA_TOPIC', DEFAULT_KAFKA_TOPIC);
  const target = databaseTarget(flags, reader, env);
  const config: OpsConfig = {
    databaseUrl: target.databaseUrl,
    databaseSource: target.source,
    eventStoreConnectionString:
      flags['eventstore-connection-string'] ??
      reader.string('EVENTSTORE_CONNECTION_STRING') ??
      target.eventStoreConnectionString,
    kafkaBrokers:
      flags['kafka-brokers'] !== undefined
        ? splitList(flags['kafka-brokers'])
        : env['KAFKA_BROKERS'] !== undefined
          ? reader.list('KAFKA_BROKERS')
          : [...target.kafkaBrokers],
    kafkaTopic,
    kafkaDlqTopic: reader.string('KAFKA_DLQ_TOPIC', `${kafkaTopic}.dlq`),
    kafkaSecurity: readKafkaSecurity(reader),
    logLevel: flags['log-level'] !== undefined ? logLevelFlag(flags['log-level']) : common.logLevel,
  };
  reader.done();
  return config;
}

interface DatabaseTarget {
  readonly databaseUrl: string;
  readonly source: string;
  readonly eventStoreConnectionString?: string | undefined;
  readonly kafkaBrokers: readonly string[];
}

function databaseTarget(
  flags: CommonValues,
  reader: EnvReader,
  env: Record<string, string | undefined>,
): DatabaseTarget {
  const flag = flags['database-url'];
  if (flag !== undefined) return { databaseUrl: flag, source: '--database-url', kafkaBrokers: [] };
  const variable = reader.string('DATABASE_URL');
  if (variable !== undefined)
    return { databaseUrl: variable, source: 'DATABASE_URL', kafkaBrokers: [] };
  const found = lookUpStackState(env);
  if (found.kind === 'running' && found.state.databaseUrl) {
    return {
      databaseUrl: found.state.databaseUrl,
      source: `the running npm start, pid ${found.state.pid}, from ${found.file}`,
      eventStoreConnectionString: found.state.eventStoreConnectionString ?? undefined,
      kafkaBrokers: found.state.kafkaBrokers,
    };
  }
  const why =
    found.kind === 'stale'
      ? `${found.file} is left from an npm start (pid ${found.state.pid}) that no longer runs`
      : found.kind === 'unreadable'
        ? `${found.file} is unreadable: ${found.reason}`
        : 'no npm start is running';
  return {
    databaseUrl: DEFAULT_DATABASE_URL,
    source: `the default: DATABASE_URL is unset and ${why}`,
    kafkaBrokers: [],
  };
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
