import { BANK_EVENT_TYPES, isBankEventType } from '@bank/domain';
import type { RecordedEvent } from '@bank/event-store';
import { applyEvents } from '@bank/read-models';
import { parseArgs } from 'node:util';
import {
  COMMON_OPTIONS,
  COMMON_OPTIONS_HELP,
  parseBigIntFlag,
  parseCommandLine,
  parseIntFlag,
  parseTimeFlag,
} from '../cli/args.js';
import { EXIT, EXIT_CODES_HELP, UsageError, type ExitCode } from '../cli/exit-codes.js';
import { Progress } from '../cli/progress.js';
import { LineWriter, toJson } from '../cli/stdout.js';
import { readOpsConfig } from '../config.js';
import { OpsContext } from '../context.js';
import { copyableTable } from '../events/copy-events.js';
import { toEventRecord } from '../events/event-record.js';
import { readEventPages, type EventRange } from '../events/event-range.js';
import { copyNdjson } from '../events/ndjson-copy.js';
import { KafkaEventSink } from '../kafka/event-sink.js';
import { toProjectionBatch } from '../projection/decode.js';

export const REPLAY_HELP = `Usage: bank replay [range and filters] [--to stdout|kafka|projection]

Reads events from the event store, in global order, and sends them somewhere.

Range (all bounds inclusive; combine freely):
  --from-position <n>      first global position
  --to-position <n>        last global position (default: the head when the replay starts)
  --since <rfc3339>        recorded at or after, e.g. 2024-05-01T00:00:00Z
  --until <rfc3339>        recorded at or before
Filters (repeatable; streams and prefixes add up, types narrow):
  --stream <id>            one stream, e.g. account-<uuid>
  --stream-prefix <p>      streams starting with p, e.g. transfer-
  --type <EventType>       e.g. FundsDeposited
Destination:
  --to stdout              (default) NDJSON, one event per line: position, streamId, revision,
                           eventId, type, recordedAt, data, metadata (int64 as strings)
  --to kafka --topic <t>   the projector relay's message format (key = stream id, same headers),
                           through an idempotent producer with acks=all
  --to projection          apply to the live read models through the projection code
                           (idempotent: events already applied are skipped)
  --batch-size <n>         events per read (and per transaction / send); default 1000
                           (--to stdout from PostgreSQL streams one COPY instead)

${COMMON_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'from-position': { type: 'string' },
  'to-position': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  stream: { type: 'string', multiple: true },
  'stream-prefix': { type: 'string', multiple: true },
  type: { type: 'string', multiple: true },
  to: { type: 'string' },
  topic: { type: 'string' },
  'batch-size': { type: 'string' },
} as const;

type Sink = {
  write(events: RecordedEvent[]): Promise<boolean>;
  close(): Promise<void>;
};

export async function replayCommand(argv: readonly string[]): Promise<ExitCode> {
  const { values } = parseCommandLine(() =>
    parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }),
  );
  if (values.help) {
    process.stdout.write(`${REPLAY_HELP}\n`);
    return EXIT.ok;
  }
  const range: EventRange = {
    fromPosition: parseBigIntFlag('from-position', values['from-position']),
    toPosition: parseBigIntFlag('to-position', values['to-position']),
    since: parseTimeFlag('since', values.since),
    until: parseTimeFlag('until', values.until),
    streams: values.stream,
    streamPrefixes: values['stream-prefix'],
    types: values.type,
  };
  checkRange(range);
  const batchSize = parseIntFlag('batch-size', values['batch-size'], 1000, 1, 100_000);
  const to = values.to ?? 'stdout';
  if (to !== 'stdout' && to !== 'kafka' && to !== 'projection') {
    throw new UsageError(`--to must be stdout, kafka or projection, got ${JSON.stringify(to)}`);
  }
  if (to === 'kafka' && !values.topic) throw new UsageError('--to kafka needs --topic <name>');
  if (to !== 'kafka' && values.topic) throw new UsageError('--topic only goes with --to kafka');
  const config = readOpsConfig(values);
  const context = new OpsContext(config);
  try {
    const store = await context.events();
    const progress = new Progress('replay', to === 'stdout' || values.json ? 'silent' : 'auto');
    const table = to === 'stdout' ? copyableTable(store) : undefined;
    let stoppedEarly = false;
    if (table !== undefined) {
      const copied = await copyNdjson(store, config.databaseUrl, table, range, new LineWriter());
      stoppedEarly = copied.stoppedEarly;
      progress.add(copied.events);
    } else {
      const sink = await openSink(context, to, values.topic);
      try {
        for await (const page of readEventPages(store, range, batchSize)) {
          if (!(await sink.write(page))) {
            stoppedEarly = true; // the reader closed stdout: how `| head` ends a replay, not an error
            break;
          }
          progress.add(page.length);
        }
      } finally {
        await sink.close();
      }
    }
    progress.finish();
    if (progress.count === 0 && !stoppedEarly) {
      process.stderr.write(`bank: no events matched ${describeRange(range)}: nothing replayed\n`);
    }
    if (to !== 'stdout') {
      const summary = {
        to,
        topic: values.topic,
        events: progress.count,
        seconds: progress.elapsedSeconds(),
        eventsPerSecond: Math.round(progress.rate()),
      };
      if (values.json) process.stdout.write(`${toJson(summary)}\n`);
      else
        process.stderr.write(
          `replayed ${summary.events} events to ${to} in ${summary.seconds.toFixed(1)} s (${summary.eventsPerSecond} events/s)\n`,
        );
    }
    return EXIT.ok;
  } finally {
    await context.close();
  }
}

/** Bounds that can match nothing whatever the store holds, and unknown types, are usage errors. */
function checkRange(range: EventRange): void {
  const unknown = (range.types ?? []).filter((type) => !isBankEventType(type));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown event type ${unknown.map((t) => JSON.stringify(t)).join(', ')}; the types are ${BANK_EVENT_TYPES.join(', ')}`,
    );
  }
  if (
    range.fromPosition !== undefined &&
    range.toPosition !== undefined &&
    range.fromPosition > range.toPosition
  ) {
    throw new UsageError(
      `--from-position ${range.fromPosition} is after --to-position ${range.toPosition}: the range is empty`,
    );
  }
  if (range.since && range.until && range.since > range.until) {
    throw new UsageError(
      `--since ${range.since.toISOString()} is after --until ${range.until.toISOString()}: the range is empty`,
    );
  }
}

/** The range and filters in words, for the message that nothing matched. */
function describeRange(range: EventRange): string {
  const parts = [
    `positions ${range.fromPosition ?? 1}..${range.toPosition ?? 'head'}`,
    range.since && `since ${range.since.toISOString()}`,
    range.until && `until ${range.until.toISOString()}`,
    range.streams?.length && `stream ${range.streams.join(', ')}`,
    range.streamPrefixes?.length && `stream prefix ${range.streamPrefixes.join(', ')}`,
    range.types?.length && `type ${range.types.join(', ')}`,
  ];
  return `(${parts.filter(Boolean).join('; ')})`;
}

async function openSink(
  context: OpsContext,
  to: 'stdout' | 'kafka' | 'projection',
  topic: string | undefined,
): Promise<Sink> {
  switch (to) {
    case 'stdout': {
      const out = new LineWriter();
      return {
        write: (events) =>
          out.write(events.map((e) => `${JSON.stringify(toEventRecord(e))}\n`).join('')),
        close: () => Promise.resolve(),
      };
    }
    case 'kafka': {
      const sink = await KafkaEventSink.open(await context.kafka(), topic ?? '');
      return {
        write: async (events) => {
          await sink.send(events);
          return true;
        },
        close: () => sink.close(),
      };
    }
    case 'projection': {
      const db = await context.db();
      return {
        write: async (events) => {
          const batch = toProjectionBatch(events);
          await db.transaction((trx) => applyEvents(trx, batch));
          return true;
        },
        close: () => Promise.resolve(),
      };
    }
  }
}
