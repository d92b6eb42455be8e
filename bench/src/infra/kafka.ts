import { pathToFileURL } from 'node:url';
import { repoPath } from '../paths.js';

export interface KafkaLease {
  readonly brokers: string;
  /** True when this run had to start the broker (cold start counted apart). */
  readonly started: boolean;
  readonly coldStartMs: number;
  release(): Promise<void>;
}

interface KafkaScript {
  acquireKafka(options: { log: (line: string) => void; lease: string }): Promise<KafkaLease>;
}

/**
 * A real broker through infra/kafka/kafka.mjs: reuses one that answers (or KAFKA_BROKERS), else
 * starts one from the Maven jars. The lease keeps it up while this run needs it.
 */
export async function acquireBroker(log: (line: string) => void): Promise<KafkaLease> {
  const script = (await import(
    pathToFileURL(repoPath('infra/kafka/kafka.mjs')).href
  )) as KafkaScript;
  return script.acquireKafka({ log, lease: `bench-${process.pid}` });
}

/** Deletes topics this run created (the projector's topic and its DLQ); missing ones are fine. */
export async function deleteTopics(brokers: string, topics: readonly string[]): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({
    clientId: 'bench-cleanup',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = topics.filter((t) => existing.has(t));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.disconnect();
  }
}
