import { measureProjectionLag, readProjectionProgress } from '@bank/read-models';
import type { Knex } from 'knex';
import { parseArgs } from 'node:util';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine } from '../cli/args.js';
import { EXIT, EXIT_CODES_HELP, UsageError, type ExitCode } from '../cli/exit-codes.js';
import { toJson } from '../cli/stdout.js';
import { readOpsConfig } from '../config.js';
import { OpsContext } from '../context.js';
import { topicOffsets } from '../kafka/read-topic.js';
import { ident } from '../rebuild/projections.js';
import { liveSchemaOf, shadowNameOf } from '../rebuild/shadow-schema.js';

export const STATUS_HELP = `Usage: bank status [--json]

Where the projection stands:
  checkpoints      every row of projection_checkpoints: relay, embedded, watermark:<partition>,
                   rebuild:<projection> (last swap), dlq-retry:<dlq>:<partition>
  head             the event store's newest position
  consistent       every event at or below it is in the views (min over the watermarks)
  lag              events: head - consistent, the events not yet in the views; seconds: how
                   long the oldest of them has waited (0 when none is behind)
  newest applied   seconds since the newest event in the views occurred (grows while idle)
  rebuild          an unfinished rebuild's shadow schema and its checkpoint, if any
  dead letters     rows in projection_dead_letters
  DLQ              messages on <topic>.dlq (sum of high - low offsets); 0 with a note when
                   Kafka is not configured

${COMMON_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

interface CheckpointRow {
  name: string;
  position: string;
  last_event_at: Date | null;
  updated_at: Date;
}

export async function statusCommand(argv: readonly string[]): Promise<ExitCode> {
  const { values } = parseCommandLine(() =>
    parseArgs({ args: [...argv], options: COMMON_OPTIONS, allowPositionals: true, strict: true }),
  );
  if (values.help) {
    process.stdout.write(`${STATUS_HELP}\n`);
    return EXIT.ok;
  }
  const config = readOpsConfig(values);
  const context = new OpsContext(config);
  try {
    const db = await context.db();
    const store = await context.events();
    const checkpoints = (await tableExists(db, 'projection_checkpoints'))
      ? ((await db('projection_checkpoints')
          .select('name', db.raw('position::text AS position'), 'last_event_at', 'updated_at')
          .orderBy('name')) as CheckpointRow[])
      : [];
    // Views never migrated hold nothing: every event is behind.
    const lag = await measureProjectionLag(
      store,
      checkpoints.length > 0
        ? await readProjectionProgress(db)
        : { consistentPosition: 0n, lastEventAt: undefined },
    );
    const rebuild = await rebuildInProgress(db);
    const deadLetters = (await tableExists(db, 'projection_dead_letters'))
      ? Number(
          (
            await db.raw<{ rows: Array<{ n: string }> }>(
              'SELECT count(*)::text AS n FROM projection_dead_letters',
            )
          ).rows[0]?.n ?? 0,
        )
      : undefined;
    const dlq = await dlqSize(context);
    const tenths = (seconds: number) => Math.round(seconds * 10) / 10;
    const status = {
      head: lag.head.toString(),
      consistentPosition: lag.consistentPosition.toString(),
      lagEvents: lag.events.toString(),
      lagSeconds: tenths(lag.seconds),
      lastAppliedEventAgeSeconds:
        lag.sinceLastAppliedSeconds === undefined ? null : tenths(lag.sinceLastAppliedSeconds),
      checkpoints: checkpoints.map((c) => ({
        name: c.name,
        position: c.position,
        lastEventAt: c.last_event_at?.toISOString() ?? null,
        updatedAt: c.updated_at.toISOString(),
      })),
      rebuild,
      deadLetters,
      dlq,
    };
    if (values.json) {
      process.stdout.write(`${toJson(status)}\n`);
      return EXIT.ok;
    }
    const lines = [
      `event store head     ${status.head}`,
      `consistent position  ${status.consistentPosition}`,
      `lag                  ${status.lagEvents} events, ${status.lagSeconds} s (the oldest event not in the views waited that long)`,
      `newest applied event ${status.lastAppliedEventAgeSeconds === null ? 'none yet' : `${status.lastAppliedEventAgeSeconds} s ago`}`,
      'checkpoints:',
      ...(status.checkpoints.length === 0
        ? ['  (none)']
        : status.checkpoints.map(
            (c) => `  ${c.name.padEnd(32)} ${c.position.padStart(12)}  updated ${c.updatedAt}`,
          )),
      `rebuild in progress  ${rebuild ? `${rebuild.schema}: ${rebuild.checkpoints.map((c) => `${c.name} at ${c.position}`).join(', ') || 'starting'}` : 'none'}`,
      `dead letters (table) ${deadLetters ?? 'n/a'}`,
      `DLQ ${dlq.topic ?? ''}  ${dlq.messages}${dlq.note ? ` (${dlq.note})` : ''}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  } finally {
    await context.close();
  }
}

async function tableExists(db: Knex, table: string): Promise<boolean> {
  const result = await db.raw<{ rows: Array<{ found: boolean }> }>(
    'SELECT to_regclass(?) IS NOT NULL AS found',
    [table],
  );
  return result.rows[0]?.found ?? false;
}

async function rebuildInProgress(
  db: Knex,
): Promise<{ schema: string; checkpoints: Array<{ name: string; position: string }> } | null> {
  const shadow = shadowNameOf(await liveSchemaOf(db));
  const exists = await db.raw<{ rows: Array<{ found: boolean }> }>(
    'SELECT to_regclass(?) IS NOT NULL AS found',
    [`${ident(shadow)}.projection_checkpoints`],
  );
  if (!exists.rows[0]?.found) {
    const schema = await db.raw<{ rows: unknown[] }>(
      'SELECT 1 FROM pg_namespace WHERE nspname = ?',
      [shadow],
    );
    return schema.rows.length > 0 ? { schema: shadow, checkpoints: [] } : null;
  }
  const rows = await db.raw<{ rows: Array<{ name: string; position: string }> }>(
    `SELECT name, position::text AS position FROM ${ident(shadow)}.projection_checkpoints WHERE name LIKE 'rebuild:%' ORDER BY name`,
  );
  return { schema: shadow, checkpoints: rows.rows };
}

async function dlqSize(
  context: OpsContext,
): Promise<{ topic: string | null; messages: string; note?: string }> {
  if (!context.kafkaConfigured())
    return {
      topic: null,
      messages: '0',
      note: 'Kafka is not configured (embedded mode): no DLQ topic',
    };
  const topic = context.config.kafkaDlqTopic;
  try {
    const offsets = await topicOffsets(await context.kafka(), topic);
    return { topic, messages: offsets.reduce((sum, o) => sum + (o.high - o.low), 0n).toString() };
  } catch (error) {
    if (error instanceof UsageError) return { topic, messages: '0', note: 'topic does not exist' };
    throw error;
  }
}
