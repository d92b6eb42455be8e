import { parseArgs } from 'node:util';
import type { EventStore } from '@bank/event-store';
import {
  COMMON_OPTIONS,
  COMMON_OPTIONS_HELP,
  parseCommandLine,
  parseIntFlag,
  type CommonValues,
} from '../cli/args.js';
import {
  CommandFailedError,
  EXIT,
  EXIT_CODES_HELP,
  UsageError,
  type ExitCode,
} from '../cli/exit-codes.js';
import { LineWriter, toJson } from '../cli/stdout.js';
import { readOpsConfig, type OpsConfig } from '../config.js';
import { OpsContext } from '../context.js';
import { readDlqCheckpoints, saveDlqCheckpoint } from '../kafka/dlq-checkpoint.js';
import { headersAsText } from '../kafka/event-message.js';
import { readTopicRanges, topicOffsets, type PartitionRange } from '../kafka/read-topic.js';
import {
  listDeadLetters,
  readDeadLetter,
  replayDeadLetters,
  type DeadLetterRow,
  type ReplayOutcome,
} from '../dead-letters/table.js';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Knex } from 'knex';

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

type DlqAction = 'list' | 'show' | 'replay';

interface DlqRequest {
  readonly action: DlqAction;
  readonly targets: readonly string[];
  readonly json: boolean;
  readonly timeoutMs: number;
  readonly flags: CommonValues;
}

/** The DLQ topic as found when the command started. */
interface DlqTopic {
  readonly kafka: Kafka;
  readonly name: string;
  readonly offsets: ReadonlyArray<{ partition: number; low: bigint; high: bigint }>;
  readonly timeoutMs: number;
}

export async function dlqCommand(argv: readonly string[]): Promise<ExitCode> {
  const request = parseDlqRequest(argv);
  if (request === undefined) return EXIT.ok;
  const config = readOpsConfig(request.flags);
  const context = new OpsContext(config);
  try {
    const out = new LineWriter();
    if (!context.kafkaConfigured())
      return await tableDlq(context, request.action, request.targets, request.json, out);
    return await kafkaDlq(context, config, request, out);
  } finally {
    await context.close();
  }
}

/** The action and its arguments, checked; undefined when the help was all that was asked. */
function parseDlqRequest(argv: readonly string[]): DlqRequest | undefined {
  const { values, positionals } = parseCommandLine(
    () => parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }),
    Number.MAX_SAFE_INTEGER,
  );
  const [given, ...targets] = positionals;
  if (values.help || given === undefined) {
    process.stdout.write(`${DLQ_HELP}\n`);
    if (given === undefined && !values.help)
      throw new UsageError('which action? bank dlq <list|show|replay>');
    return undefined;
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
  return { action, targets, json: values.json === true, timeoutMs, flags: values };
}

/** Kafka mode: the dead letters are the messages of the DLQ topic. */
async function kafkaDlq(
  context: OpsContext,
  config: OpsConfig,
  request: DlqRequest,
  out: LineWriter,
): Promise<ExitCode> {
  const { action, targets, json } = request;
  if (action === 'replay' && targets.length > 0)
    throw new UsageError('bank dlq replay on Kafka re-publishes the whole DLQ: it takes no ids');
  const kafka = await context.kafka();
  const name = config.kafkaDlqTopic;
  const offsets = await topicOffsets(kafka, name);
  const dlq: DlqTopic = { kafka, name, offsets, timeoutMs: request.timeoutMs };
  switch (action) {
    case 'show':
      return await showKafka(dlq, targets[0] ?? '', out);
    case 'list':
      return await listKafka(dlq, json, out);
    case 'replay':
      return await replayKafka(dlq, context, config.kafkaTopic, json, out);
  }
}

async function showKafka(dlq: DlqTopic, which: string, out: LineWriter): Promise<ExitCode> {
  const { partition, offset } = parseKafkaPosition(which);
  const range = dlq.offsets.find((o) => o.partition === partition);
  if (!range || offset < range.low || offset >= range.high)
    throw new UsageError(`${dlq.name} has no message at ${partition}@${offset}`);
  await readTopicRanges(
    dlq.kafka,
    dlq.name,
    [{ partition, from: offset, to: offset + 1n }],
    async (_partition, messages) => {
      const m = messages.find((message) => BigInt(message.offset) === offset);
      if (m) await out.write(`${toJson(kafkaEntry(partition, m))}\n`);
    },
    dlq.timeoutMs,
  );
  return EXIT.ok;
}

async function listKafka(dlq: DlqTopic, json: boolean, out: LineWriter): Promise<ExitCode> {
  let count = 0;
  await readTopicRanges(
    dlq.kafka,
    dlq.name,
    dlq.offsets.map((o) => ({ partition: o.partition, from: o.low, to: o.high })),
    async (partition, messages) => {
      for (const m of messages) {
        count += 1;
        const entry = kafkaEntry(partition, m);
        await out.write(json ? `${toJson(entry)}\n` : describeMessage(dlq.name, entry));
      }
    },
    dlq.timeoutMs,
  );
  if (!json) await out.write(`${count} messages on ${dlq.name}\n`);
  return EXIT.ok;
}

/** Re-publishes what arrived since the last run, then says how many. */
async function replayKafka(
  dlq: DlqTopic,
  context: OpsContext,
  mainTopic: string,
  json: boolean,
  out: LineWriter,
): Promise<ExitCode> {
  await context.requireEventStore('re-publish dead letters');
  const db = await context.db();
  const ranges = unreplayedRanges(dlq, await readDlqCheckpoints(db, dlq.name));
  const retried = await republish(dlq, ranges, db, mainTopic);
  const summary = { dlq: dlq.name, topic: mainTopic, retried };
  await out.write(
    json
      ? `${toJson(summary)}\n`
      : `re-published ${retried} messages from ${dlq.name} to ${mainTopic}\n`,
  );
  return EXIT.ok;
}

/** Each partition from its saved next offset (never below the low watermark) to its end. */
function unreplayedRanges(dlq: DlqTopic, done: ReadonlyMap<number, bigint>): PartitionRange[] {
  return dlq.offsets.map((o) => {
    const next = done.get(o.partition);
    return {
      partition: o.partition,
      from: next !== undefined && next > o.low ? next : o.low,
      to: o.high,
    };
  });
}

/** Sends the ranges to the main topic, saving each partition's next offset after each send. */
async function republish(
  dlq: DlqTopic,
  ranges: readonly PartitionRange[],
  db: Knex,
  mainTopic: string,
): Promise<number> {
  const producer = dlq.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  let retried = 0;
  try {
    await readTopicRanges(
      dlq.kafka,
      dlq.name,
      ranges,
      async (partition, messages) => {
        await republishBatch(producer, mainTopic, messages);
        const last = messages.at(-1);
        if (last) await saveDlqCheckpoint(db, dlq.name, partition, BigInt(last.offset) + 1n);
        retried += messages.length;
      },
      dlq.timeoutMs,
    );
  } finally {
    await producer.disconnect();
  }
  return retried;
}

/** Same key, value and headers, minus the DLQ's error headers. */
async function republishBatch(
  producer: Producer,
  mainTopic: string,
  messages: readonly KafkaMessage[],
): Promise<void> {
  await producer.send({
    topic: mainTopic,
    acks: -1,
    messages: messages.map((m) => ({
      key: m.key,
      value: m.value,
      headers: withoutDlqHeaders(m.headers),
    })),
  });
}

function withoutDlqHeaders(headers: KafkaMessage['headers']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headersAsText(headers)).filter(([name]) => !DLQ_HEADER.test(name)),
  );
}

function describeMessage(dlq: string, entry: ReturnType<typeof kafkaEntry>): string {
  const headers = Object.entries(entry.headers)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${dlq}[${entry.partition}]@${entry.offset} key=${entry.key ?? ''} ${headers}\n  ${entry.value ?? ''}\n`;
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
  action: DlqAction,
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
  switch (action) {
    case 'list':
      return await listTable(db, json, out);
    case 'show':
      return await showTable(db, targets[0] ?? '', json, out);
    case 'replay':
      return await replayTable(db, await context.events(), targets, json, out);
  }
}

async function listTable(db: Knex, json: boolean, out: LineWriter): Promise<ExitCode> {
  const rows = await listDeadLetters(db);
  for (const row of rows) {
    if (!(await out.write(json ? `${toJson(row)}\n` : describeRow(row)))) break;
  }
  if (!json) await out.write(`${rows.length} dead letters in projection_dead_letters\n`);
  return EXIT.ok;
}

async function showTable(db: Knex, id: string, json: boolean, out: LineWriter): Promise<ExitCode> {
  const row = await readDeadLetter(db, id);
  if (!row) throw new UsageError(`no dead letter with id ${id} in projection_dead_letters`);
  await out.write(
    json ? `${toJson(row)}\n` : `${describeRow(row)}  payload: ${row.payload ?? ''}\n`,
  );
  return EXIT.ok;
}

/** Exits 1 (CommandFailedError) when a dead letter could not be replayed: its row is kept. */
async function replayTable(
  db: Knex,
  events: EventStore,
  targets: readonly string[],
  json: boolean,
  out: LineWriter,
): Promise<ExitCode> {
  const outcomes = await replayDeadLetters(db, events, targets);
  const summary = summarizeReplay(outcomes);
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

function summarizeReplay(outcomes: ReplayOutcome[]) {
  const count = (kind: string) => outcomes.filter((o) => o.outcome === kind).length;
  return {
    replayed: count('applied'),
    alreadyApplied: count('already-applied'),
    failed: count('failed'),
    noEvent: count('no-event'),
    outcomes,
  };
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
