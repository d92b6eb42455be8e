import { parseArgs } from 'node:util';
import {
  COMMON_OPTIONS,
  COMMON_OPTIONS_HELP,
  parseCommandLine,
  parseIntFlag,
} from '../cli/args.js';
import {
  CommandFailedError,
  EXIT,
  EXIT_CODES_HELP,
  UsageError,
  type ExitCode,
} from '../cli/exit-codes.js';
import { LineWriter, toJson } from '../cli/stdout.js';
import { readOpsConfig } from '../config.js';
import { OpsContext } from '../context.js';
import { readDlqCheckpoints, saveDlqCheckpoint } from '../kafka/dlq-checkpoint.js';
import { headersAsText } from '../kafka/event-message.js';
import { readTopicRanges, topicOffsets } from '../kafka/read-topic.js';
import {
  listDeadLetters,
  readDeadLetter,
  replayDeadLetters,
  type DeadLetterRow,
} from '../dead-letters/table.js';
import type { KafkaMessage } from 'kafkajs';

export const DLQ_HELP = `Usage: bank dlq <list|show|replay> [options]

The projector's dead letters: the events it gave up on. With Kafka (KAFKA_BROKERS) they are
the messages of the dead-letter topic (<KAFKA_TOPIC>.dlq, or KAFKA_DLQ_TOPIC); in embedded
mode (no Kafka) the rows of the projection_dead_letters table.

  list             every dead letter. Kafka: partition, offset, key, headers (the projector's
                   error headers among them) and value. Table: id, when, reason, event type,
                   stream and revision, position, error. --json prints one JSON object per line
  show <which>     one dead letter in full: <partition>@<offset> on Kafka, <id> in the table
                   (payload included)
  replay [<id>...] Kafka: re-publishes the DLQ messages to the main topic (same key, value and
                   headers minus the DLQ's error headers) with an idempotent producer, and
                   remembers per partition the next offset in projection_checkpoints
                   (dlq-retry:<dlq>:<partition>), so a second run re-publishes only messages
                   that arrived since. Table: applies each dead-lettered event (all, or the ids
                   given) from the event store to the views again, in position order, with the
                   projection code, and deletes its row in the same transaction; one that fails
                   again keeps its row and the command exits 1
  retry            the former name of replay (Kafka)

Options:
  --timeout-ms <n>   give up reading the DLQ topic after this long (default 60000)

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
    Number.MAX_SAFE_INTEGER,
  );
  const [given, ...targets] = positionals;
  if (values.help || given === undefined) {
    process.stdout.write(`${DLQ_HELP}\n`);
    if (given === undefined && !values.help)
      throw new UsageError('which action? bank dlq <list|show|replay>');
    return EXIT.ok;
  }
  const action = given === 'retry' ? 'replay' : given;
  if (action !== 'list' && action !== 'show' && action !== 'replay')
    throw new UsageError(
      `unknown dlq action ${JSON.stringify(given)}: expected list, show or replay`,
    );
  if (action === 'list' && targets.length > 0)
    throw new UsageError(`unexpected argument ${JSON.stringify(targets[0])}`);
  if (action === 'show' && targets.length !== 1)
    throw new UsageError('which dead letter? bank dlq show <id>, or <partition>@<offset> on Kafka');
  const timeoutMs = parseIntFlag('timeout-ms', values['timeout-ms'], 60_000, 1000, 3_600_000);
  const config = readOpsConfig(values);
  const context = new OpsContext(config);
  try {
    const out = new LineWriter();
    if (!context.kafkaConfigured())
      return await tableDlq(context, action, targets, values.json === true, out);
    if (action === 'replay' && targets.length > 0)
      throw new UsageError('bank dlq replay on Kafka re-publishes the whole DLQ: it takes no ids');
    const kafka = await context.kafka();
    const dlq = config.kafkaDlqTopic;
    const offsets = await topicOffsets(kafka, dlq);
    if (action === 'show') {
      const { partition, offset } = parseKafkaPosition(targets[0] ?? '');
      const range = offsets.find((o) => o.partition === partition);
      if (!range || offset < range.low || offset >= range.high)
        throw new UsageError(`${dlq} has no message at ${partition}@${offset}`);
      await readTopicRanges(
        kafka,
        dlq,
        [{ partition, from: offset, to: offset + 1n }],
        async (_partition, messages) => {
          const m = messages.find((message) => BigInt(message.offset) === offset);
          if (m) await out.write(`${toJson(kafkaEntry(partition, m))}\n`);
        },
        timeoutMs,
      );
      return EXIT.ok;
    }
    if (action === 'list') {
      let count = 0;
      await readTopicRanges(
        kafka,
        dlq,
        offsets.map((o) => ({ partition: o.partition, from: o.low, to: o.high })),
        async (partition, messages) => {
          for (const m of messages) {
            count += 1;
            const entry = kafkaEntry(partition, m);
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

function kafkaEntry(partition: number, m: KafkaMessage) {
  return {
    partition,
    offset: m.offset,
    timestamp: new Date(Number(m.timestamp)).toISOString(),
    key: m.key?.toString('utf8') ?? null,
    headers: headersAsText(m.headers),
    value: m.value?.toString('utf8') ?? null,
  };
}

function parseKafkaPosition(text: string): { partition: number; offset: bigint } {
  const match = /^([0-9]+)@([0-9]+)$/.exec(text);
  if (!match?.[1] || !match[2])
    throw new UsageError(
      `on Kafka a dead letter is <partition>@<offset>, e.g. 0@12, not ${JSON.stringify(text)}`,
    );
  return { partition: Number(match[1]), offset: BigInt(match[2]) };
}

/** Embedded mode: the dead letters are the rows of projection_dead_letters. */
async function tableDlq(
  context: OpsContext,
  action: 'list' | 'show' | 'replay',
  targets: readonly string[],
  json: boolean,
  out: LineWriter,
): Promise<ExitCode> {
  const bad = targets.find((id) => !/^[0-9]+$/.test(id));
  if (bad !== undefined)
    throw new UsageError(
      `a dead letter of projection_dead_letters is named by its id (a number), not ${JSON.stringify(bad)}`,
    );
  if (action === 'replay') await context.requireEventStore('replay dead letters');
  const db = await context.db();
  if (action === 'list') {
    const rows = await listDeadLetters(db);
    for (const row of rows) {
      if (!(await out.write(json ? `${toJson(row)}\n` : describeRow(row)))) break;
    }
    if (!json) await out.write(`${rows.length} dead letters in projection_dead_letters\n`);
    return EXIT.ok;
  }
  if (action === 'show') {
    const row = await readDeadLetter(db, targets[0] ?? '');
    if (!row)
      throw new UsageError(`no dead letter with id ${targets[0]} in projection_dead_letters`);
    await out.write(
      json ? `${toJson(row)}\n` : `${describeRow(row)}  payload: ${row.payload ?? ''}\n`,
    );
    return EXIT.ok;
  }
  const outcomes = await replayDeadLetters(db, await context.events(), targets);
  const count = (kind: string) => outcomes.filter((o) => o.outcome === kind).length;
  const summary = {
    replayed: count('applied'),
    alreadyApplied: count('already-applied'),
    failed: count('failed'),
    noEvent: count('no-event'),
    outcomes,
  };
  if (json) await out.write(`${toJson(summary)}\n`);
  else {
    for (const o of outcomes) {
      if ('error' in o) await out.write(`#${o.id} ${o.outcome}: ${o.error}\n`);
    }
    await out.write(
      `replayed ${summary.replayed} dead letters into the views (${summary.alreadyApplied} already there), ` +
        `${summary.failed} failed again, ${summary.noEvent} without an event in the store\n`,
    );
  }
  if (outcomes.length === 0) process.stderr.write('bank: no dead letters: nothing replayed\n');
  if (summary.failed + summary.noEvent > 0)
    throw new CommandFailedError(
      `${summary.failed + summary.noEvent} dead letters could not be replayed; their rows are kept`,
    );
  return EXIT.ok;
}

function describeRow(row: DeadLetterRow): string {
  const where =
    row.streamId === null
      ? ''
      : ` ${row.streamId}@${row.revision ?? '?'} position ${row.position ?? '?'}`;
  return (
    `#${row.id} ${row.createdAt} ${row.reason} ${row.eventType ?? '(no type)'}${where} (${row.source})\n` +
    `  error: ${row.error}\n`
  );
}
