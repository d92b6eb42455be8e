import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { CommandFailedError, UsageError } from '../cli/exit-codes.js';

export interface PartitionRange {
  readonly partition: number;
  /** First offset to read. */
  readonly from: bigint;
  /** One past the last offset to read (the high watermark when reading started). */
  readonly to: bigint;
}

/** The low and high watermarks of every partition of a topic; UsageError when it does not exist. */
export async function topicOffsets(
  kafka: Kafka,
  topic: string,
): Promise<Array<{ partition: number; low: bigint; high: bigint }>> {
  return await withExistingTopic(kafka, topic, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets
      .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  });
}

/**
 * Runs `work` with an admin client once `topic` is known to exist. The brokers never auto-create
 * topics: a missing one is a UsageError at once, not a retry into a timeout.
 */
export async function withExistingTopic<T>(
  kafka: Kafka,
  topic: string,
  work: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic))
      throw new UsageError(`Kafka topic ${JSON.stringify(topic)} does not exist`);
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the given offset ranges of a topic once and stops: a throwaway consumer group (deleted
 * afterwards, nothing committed) seeks each partition to its start. `onBatch` gets the messages of
 * one partition in offset order; the range's end was fixed before reading, so messages that
 * arrive meanwhile are left for the next run.
 */
export async function readTopicRanges(
  kafka: Kafka,
  topic: string,
  ranges: readonly PartitionRange[],
  onBatch: (partition: number, messages: KafkaMessage[]) => Promise<void>,
  timeoutMs = 60_000,
): Promise<void> {
  const wanted = ranges.filter((r) => r.from < r.to);
  if (wanted.length === 0) return;
  const groupId = `bank-ops-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const remaining = new Map(wanted.map((r) => [r.partition, r]));
  let finish: (error?: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error) => (error ? reject(error) : resolve());
  });
  const timer = setTimeout(
    () => finish(new CommandFailedError(`reading ${topic} did not finish within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const range = remaining.get(batch.partition);
        if (!range) return;
        const messages = batch.messages.filter(
          (m) => BigInt(m.offset) >= range.from && BigInt(m.offset) < range.to,
        );
        try {
          if (messages.length > 0) await onBatch(batch.partition, messages);
        } catch (error) {
          finish(error as Error);
          return;
        }
        const last = batch.messages.at(-1);
        if (last) payload.resolveOffset(last.offset);
        if (last && BigInt(last.offset) + 1n >= range.to) {
          remaining.delete(batch.partition);
          if (remaining.size === 0) finish();
        }
      },
    });
    for (const range of wanted)
      consumer.seek({ topic, partition: range.partition, offset: range.from.toString() });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
  }
}
