import { Kafka, logLevel, type Admin, type logCreator } from 'kafkajs';
import type { Logger, LogLevel } from '@bank/platform';
import type { KafkaConfig } from '../environment.js';

/** kafkajs logs into pino, at the level pino is set to. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const fields = { component: 'kafkajs', namespace, ...extra };
      // Our producers retry a bounded number of times on purpose (a stuck send must surface and
      // restart the relay from its checkpoint); the duplicates that may cause are harmless, since
      // the consumer applies each stream revision once. So this warning is expected.
      if (message.startsWith('Limiting retries for the idempotent producer')) {
        logger.debug(fields, message);
        return;
      }
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          logger.error(fields, message);
          break;
        case logLevel.WARN:
          logger.warn(fields, message);
          break;
        case logLevel.INFO:
          logger.info(fields, message);
          break;
        case logLevel.DEBUG:
          logger.debug(fields, message);
          break;
        default:
          logger.debug(fields, message);
      }
    };
}

function kafkaLevel(level: LogLevel): logLevel {
  switch (level) {
    case 'trace':
    case 'debug':
      return logLevel.DEBUG;
    case 'info':
      return logLevel.INFO;
    case 'warn':
      return logLevel.WARN;
    case 'error':
    case 'fatal':
      return logLevel.ERROR;
    case 'silent':
      return logLevel.NOTHING;
  }
}

export function createKafka(config: KafkaConfig, logger: Logger, level: LogLevel): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    ...config.security,
    logLevel: kafkaLevel(level),
    logCreator: kafkaLogCreator(logger),
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

/**
 * Creates the topic and its DLQ when missing (the brokers never auto-create: a typo must not make
 * a topic) and returns the topic's actual partition count, which may differ from the configured
 * one when the topic already existed.
 */
export async function ensureTopics(
  kafka: Kafka,
  config: KafkaConfig,
  logger: Logger,
): Promise<number> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [config.topic, config.dlqTopic].filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          topics: missing.map((topic) => ({ topic, numPartitions: config.partitions })),
          waitForLeaders: true,
        });
        logger.info({ topics: missing, partitions: config.partitions }, 'created Kafka topics');
      } catch (error) {
        // Another projector may have created them a moment ago; or the broker answered the wait
        // for leaders before its metadata knew the new topic (kafkajs gives up on that at once):
        // the read below waits for it.
        const message = String((error as Error).message);
        if (!message.includes('already exists') && !isUnknownTopic(error)) throw error;
      }
    }
    const partitions = await partitionsWithLeaders(admin, config.topic);
    if (partitions === 0) throw new Error(`topic ${config.topic} has no partitions`);
    if (partitions !== config.partitions) {
      logger.warn(
        { topic: config.topic, partitions, configured: config.partitions },
        'topic exists with another partition count; using it',
      );
    }
    return partitions;
  } finally {
    await admin.disconnect();
  }
}

/** The topic's partition count once every partition has a leader (up to 30 s after creation). */
async function partitionsWithLeaders(admin: Admin, topic: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions ?? [];
      if (partitions.every((partition) => partition.leader >= 0)) return partitions.length;
    } catch (error) {
      if (!isUnknownTopic(error) || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topic ${topic} has partitions without a leader`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** kafkajs's error for a topic the broker's metadata does not know (yet). */
function isUnknownTopic(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'UNKNOWN_TOPIC_OR_PARTITION';
}
