import { parseArgs } from 'node:util';
import {
  COMMON_OPTIONS,
  COMMON_OPTIONS_HELP,
  parseCommandLine,
  parseIntFlag,
} from '../cli/args.js';
import { EXIT, EXIT_CODES_HELP, UsageError, type ExitCode } from '../cli/exit-codes.js';
import { LineWriter, toJson } from '../cli/stdout.js';
import { readOpsConfig } from '../config.js';
import { OpsContext } from '../context.js';
import { readDlqCheckpoints, saveDlqCheckpoint } from '../kafka/dlq-checkpoint.js';
import { headersAsText } from '../kafka/event-message.js';
import { readTopicRanges, topicOffsets } from '../kafka/read-topic.js';

export const DLQ_HELP = `Usage: bank dlq <list|retry> [options]

The projector's dead-letter topic (<KAFKA_TOPIC>.dlq, or KAFKA_DLQ_TOPIC).

  list     prints every message on the DLQ: partition, offset, key, headers (the projector's
           error headers among them) and value; --json prints one JSON object per line
  retry    re-publishes the DLQ messages to the main topic (same key, value and headers minus
           the DLQ's error headers) with an idempotent producer, and remembers per partition the
           next offset in projection_checkpoints (dlq-retry:<dlq>:<partition>), so a second
           run re-publishes only messages that arrived since

Options:
  --timeout-ms <n>   give up reading the DLQ after this long (default 60000)

${COMMON_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

const OPTIONS = { ...COMMON_OPTIONS, 'timeout-ms': { type: 'string' } } as const;

/**
 * Headers the projector's consumer adds when it dead-letters a message (`dlq-reason`, `error`,
 * `original-topic/partition/offset`): not re-published by retry.
 */
const DLQ_HEADER = /^(x-)?(dlq|error|failure|reason|original)([-_.].*)?$/i;

export async function dlqCommand(argv: readonly string[]): Promise<ExitCode> {
  const { values, positionals } = parseCommandLine(
    () => parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }),
    1,
  );
  const action = positionals[0];
  if (values.help || action === undefined) {
    process.stdout.write(`${DLQ_HELP}\n`);
    if (action === undefined && !values.help)
      throw new UsageError('which action? bank dlq <list|retry>');
    return EXIT.ok;
  }
  if (action !== 'list' && action !== 'retry')
    throw new UsageError(`unknown dlq action ${JSON.stringify(action)}: expected list or retry`);
  const timeoutMs = parseIntFlag('timeout-ms', values['timeout-ms'], 60_000, 1000, 3_600_000);
  const config = readOpsConfig(values);
  const context = new OpsContext(config);
  try {
    const kafka = await context.kafka();
    const dlq = config.kafkaDlqTopic;
    const offsets = await topicOffsets(kafka, dlq);
    const out = new LineWriter();
    if (action === 'list') {
      let count = 0;
      await readTopicRanges(
        kafka,
        dlq,
        offsets.map((o) => ({ partition: o.partition, from: o.low, to: o.high })),
        async (partition, messages) => {
          for (const m of messages) {
            count += 1;
            const entry = {
              partition,
              offset: m.offset,
              timestamp: new Date(Number(m.timestamp)).toISOString(),
              key: m.key?.toString('utf8') ?? null,
              headers: headersAsText(m.headers),
              value: m.value?.toString('utf8') ?? null,
            };
            if (values.json) await out.write(`${toJson(entry)}\n`);
            else {
              const headers = Object.entries(entry.headers)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ');
              await out.write(
                `${dlq}[${partition}]@${m.offset} key=${entry.key ?? ''} ${headers}\n  ${entry.value ?? ''}\n`,
              );
            }
          }
        },
        timeoutMs,
      );
      if (!values.json) await out.write(`${count} messages on ${dlq}\n`);
      return EXIT.ok;
    }

    await context.requireEventStore('re-publish dead letters');
    const db = await context.db();
    const done = await readDlqCheckpoints(db, dlq);
    const ranges = offsets.map((o) => {
      const next = done.get(o.partition);
      return {
        partition: o.partition,
        from: next !== undefined && next > o.low ? next : o.low,
        to: o.high,
      };
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    let retried = 0;
    try {
      await readTopicRanges(
        kafka,
        dlq,
        ranges,
        async (partition, messages) => {
          await producer.send({
            topic: config.kafkaTopic,
            acks: -1,
            messages: messages.map((m) => ({
              key: m.key,
              value: m.value,
              headers: Object.fromEntries(
                Object.entries(headersAsText(m.headers)).filter(([name]) => !DLQ_HEADER.test(name)),
              ),
            })),
          });
          const last = messages.at(-1);
          if (last) await saveDlqCheckpoint(db, dlq, partition, BigInt(last.offset) + 1n);
          retried += messages.length;
        },
        timeoutMs,
      );
    } finally {
      await producer.disconnect();
    }
    const summary = { dlq, topic: config.kafkaTopic, retried };
    await out.write(
      values.json
        ? `${toJson(summary)}\n`
        : `re-published ${retried} messages from ${dlq} to ${config.kafkaTopic}\n`,
    );
    return EXIT.ok;
  } finally {
    await context.close();
  }
}
