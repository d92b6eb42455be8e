import { createEventStore, type EventStore, type RecordedEvent } from '@bank/event-store';
import { createLogger, type Logger } from '@bank/platform';
import { type BankWorkload, type WorkloadAppend } from '@bank/read-models/testing';
import {
  createTestSchema,
  kafkaBrokers,
  uniqueTopicName,
  waitFor,
  withKafkaAdmin,
  type TestSchema,
} from '@bank/testkit';
import { readProjectorConfig, type ProjectorConfig } from '../environment.js';

/** One isolated test stack: a PostgreSQL schema (event store + read models) and Kafka topic names. */
export interface TestStack {
  readonly schema: TestSchema;
  readonly store: EventStore;
  readonly topic: string;
  readonly groupId: string;
  readonly logger: Logger;
  /** The environment a projector (in-process or child) runs with. */
  env(extra?: Record<string, string>): Record<string, string>;
  config(extra?: Record<string, string>): ProjectorConfig;
  append(workload: BankWorkload, steps: number): Promise<void>;
  allEvents(): Promise<RecordedEvent[]>;
  /** Waits until every event in the store is in the views (consistent position ≥ head). */
  waitForViews(timeoutMs?: number): Promise<void>;
  /** Waits until the consumer group committed every message of the topic. */
  waitForConsumed(timeoutMs?: number): Promise<void>;
  /** Messages in a topic (sum of its partitions' end offsets). */
  topicSize(topic: string): Promise<number>;
  close(): Promise<void>;
}

export async function createTestStack(
  prefix: string,
  options: { kafka?: boolean } = {},
): Promise<TestStack> {
  const schema = await createTestSchema(prefix);
  const store = await createEventStore({
    databaseUrl: schema.url,
    postgres: { pollIntervalMs: 200 },
  });
  const topic = uniqueTopicName(`bank.events.${prefix}`);
  const groupId = `${topic}-group`;
  const useKafka = options.kafka ?? true;
  const logger = createLogger({ service: 'projector-test', level: 'warn' });
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    DATABASE_URL: schema.url,
    DATABASE_POOL_SIZE: '6',
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
    BATCH_SIZE: '200',
    ...(useKafka
      ? {
          KAFKA_BROKERS: kafkaBrokers().join(','),
          KAFKA_TOPIC: topic,
          KAFKA_PARTITIONS: '3',
          KAFKA_GROUP_ID: groupId,
          KAFKA_SESSION_TIMEOUT_MS: '6000',
        }
      : { KAFKA_BROKERS: '' }),
    ...extra,
  });
  const stack: TestStack = {
    schema,
    store,
    topic,
    groupId,
    logger,
    env,
    config: (extra) => readProjectorConfig(env(extra)),
    async append(workload, steps) {
      for (let i = 0; i < steps; i += 1) {
        for (const append of workload.next()) await appendOne(store, append);
      }
    },
    async allEvents() {
      const events: RecordedEvent[] = [];
      for (;;) {
        const page = await store.readAll({ after: events.at(-1)?.position ?? 0n, maxCount: 5000 });
        if (page.length === 0) return events;
        events.push(...page);
      }
    },
    async waitForViews(timeoutMs = 30_000) {
      const head = await store.headPosition();
      await waitFor(
        async () => {
          const { rows } = await schema.pool.query<{ position: string | null }>(
            `SELECT min(position)::text AS position FROM projection_checkpoints WHERE name LIKE 'watermark:%'`,
          );
          return BigInt(rows[0]?.position ?? '0') >= head;
        },
        { timeoutMs, intervalMs: 100, description: `views at the store head ${head}` },
      );
    },
    async waitForConsumed(timeoutMs = 30_000) {
      await waitFor(
        () =>
          withKafkaAdmin(async (admin) => {
            const ends = await admin.fetchTopicOffsets(topic);
            const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
            return ends.every(
              (end) =>
                committed?.partitions.find((p) => p.partition === end.partition)?.offset ===
                end.high,
            );
          }),
        { timeoutMs, intervalMs: 200, description: 'every message consumed and committed' },
      );
    },
    topicSize: (name) =>
      withKafkaAdmin(async (admin) => {
        const offsets = await admin.fetchTopicOffsets(name);
        return offsets.reduce((sum, p) => sum + Number(p.high), 0);
      }),
    async close() {
      await store.close();
      if (useKafka) {
        await withKafkaAdmin(async (admin) => {
          const existing = new Set(await admin.listTopics());
          const mine = [topic, `${topic}.dlq`].filter((t) => existing.has(t));
          if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
        });
      }
      await schema.drop();
    },
  };
  return stack;
}

export async function appendOne(store: EventStore, append: WorkloadAppend): Promise<void> {
  await store.append(
    append.streamId,
    append.events,
    append.expectedRevision === undefined ? 'no_stream' : append.expectedRevision,
  );
}

/** Appends workload steps in the background until stopped; returns how many steps it made. */
export function appendInBackground(
  stack: TestStack,
  workload: BankWorkload,
  pauseMs = 5,
): { stop(): Promise<number> } {
  let running = true;
  let steps = 0;
  let failure: unknown;
  const loop = (async () => {
    while (running) {
      await stack.append(workload, 5);
      steps += 5;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })().catch((error: unknown) => {
    failure = error; // reported by stop(), not as an unhandled rejection
  });
  return {
    async stop() {
      running = false;
      await loop;
      if (failure)
        throw failure instanceof Error
          ? failure
          : new Error('background append failed', { cause: failure });
      return steps;
    },
  };
}
