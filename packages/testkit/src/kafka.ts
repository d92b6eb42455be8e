import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type ITopicConfig } from 'kafkajs';

/**
 * The Kafka bootstrap servers the tests use, from KAFKA_BROKERS (comma separated).
 * scripts/test.mjs starts a local broker and sets it for int/e2e suites; a test that needs Kafka
 * fails here, loudly, rather than being skipped.
 */
export function kafkaBrokers(): string[] {
  const value = process.env['KAFKA_BROKERS']?.trim();
  if (!value) {
    throw new Error(
      'KAFKA_BROKERS is not set: this test needs a Kafka broker. Run it through ' +
        '`node scripts/test.mjs int|e2e` (which starts one), or `npm run infra:up` and ' +
        'export KAFKA_BROKERS=127.0.0.1:19092.',
    );
  }
  return value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

/** A kafkajs client for tests: quiet (WARN) and pointed at kafkaBrokers(). */
export function testKafka(clientId = 'test', level: logLevel = logLevel.WARN): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: level });
}

/** Runs `fn` with a connected admin client and always disconnects it. */
export async function withKafkaAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka('test-admin').admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export interface TestTopic {
  /** The unique topic name, `<prefix>-<time>-<random>`. */
  readonly name: string;
  readonly partitions: number;
  /** Deletes the topic; safe to call twice. */
  delete(): Promise<void>;
}

export interface TestTopicOptions {
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly config?: Record<string, string>;
}

/**
 * Creates a uniquely named topic with the admin client (the test broker does not auto-create
 * topics) and waits until every partition has a leader. Call `delete()` in an `after` hook.
 */
export async function createTestTopic(
  prefix = 'test',
  partitions = 1,
  options: TestTopicOptions = {},
): Promise<TestTopic> {
  const name = uniqueTopicName(prefix);
  const topic: ITopicConfig = {
    topic: name,
    numPartitions: partitions,
    replicationFactor: 1,
    configEntries: Object.entries(options.config ?? {}).map(([configName, value]) => ({
      name: configName,
      value,
    })),
  };
  await withKafkaAdmin(async (admin) => {
    const created = await admin.createTopics({
      topics: [topic],
      waitForLeaders: true,
      timeout: 30_000,
    });
    if (!created) throw new Error(`Kafka topic ${name} already exists`);
  });
  let deleted = false;
  return {
    name,
    partitions,
    async delete() {
      if (deleted) return;
      deleted = true;
      await withKafkaAdmin(async (admin) => {
        try {
          await admin.deleteTopics({ topics: [name], timeout: 30_000 });
        } catch (error) {
          if (!isUnknownTopic(error)) throw error;
        }
      });
    },
  };
}

/** `<prefix>-<base36 time>-<hex>`: Kafka topic names allow [a-zA-Z0-9._-], up to 249 chars. */
export function uniqueTopicName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

function isUnknownTopic(error: unknown): boolean {
  const text = JSON.stringify(error, Object.getOwnPropertyNames(error ?? {})) ?? '';
  return text.includes('UNKNOWN_TOPIC_OR_PARTITION');
}
