import { ident } from './projections.js';
import type { ShadowSchema } from './shadow-schema.js';
import type { FlushWrite, TableRows } from './shadow-state.js';
import { SqlThread, type SqlStep } from './sql-thread.js';

/** Tables whose rows change after their insert: updates go through a staging table. */
const UPDATED_TABLES = [
  'stream_checkpoints',
  'accounts',
  'holds',
  'transfers',
  'daily_balances',
] as const;
type UpdatedTable = (typeof UPDATED_TABLES)[number];

const stageOf = (table: string): string => `pg_temp.${ident(`rebuild_stage_${table}`)}`;

/**
 * Writes the rebuild's flushes into the shadow tables over a connection of its own, in a thread
 * of its own (SqlThread), with COPY: new rows straight into their table, changed rows into a
 * temporary staging table and from there with one UPDATE ... FROM per table. Ledger entries and
 * transfer history are only ever inserted (a duplicate is a bug, and fails on the primary key).
 * One transaction per flush, with the rebuild's checkpoint in it: a crash leaves the shadow at a
 * flush boundary. The rows are encoded here, as COPY text; the thread only sends it.
 */
export class ShadowWriter {
  private constructor(
    private readonly thread: SqlThread,
    private readonly checkpointName: string,
    /** Primary key columns of the updated tables, from the catalog. */
    private readonly keys: ReadonlyMap<string, readonly string[]>,
  ) {}

  /**
   * @param checkpointName the checkpoint each write advances (default: the rebuild's own)
   * @param started the writer's thread, if started already
   */
  static async open(
    databaseUrl: string,
    schema: ShadowSchema,
    checkpointName = schema.checkpointName,
    started: Promise<SqlThread> = SqlThread.start(databaseUrl),
  ): Promise<ShadowWriter> {
    const thread = await started;
    try {
      const keyQuery = (table: string): SqlStep => ({
        query: `SELECT a.attname AS column FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = $1::regclass AND i.indisprimary`,
        params: [`${ident(schema.shadow)}.${ident(table)}`],
      });
      const results = await thread.run([
        { query: `SET search_path TO ${ident(schema.shadow)}` },
        // The staging tables are never analyzed, so the planner would hash-join each UPDATE with a
        // scan of the whole shadow table: every flush would cost as much as the table is large.
        // Probing the primary key once per staged row keeps a flush's cost to its own rows.
        { query: 'SET enable_hashjoin = off' },
        { query: 'SET enable_mergejoin = off' },
        // A flush and its checkpoint commit together, so a server crash that loses the last few
        // commits leaves the shadow at an earlier flush boundary, which the rerun resumes from.
        // Waiting for each flush's WAL to reach the disk buys nothing more.
        { query: 'SET synchronous_commit = off' },
        ...UPDATED_TABLES.map((table) => ({
          query: `CREATE TEMP TABLE ${stageOf(table)} (LIKE ${ident(table)}) ON COMMIT DELETE ROWS`,
        })),
        ...UPDATED_TABLES.map(keyQuery),
      ]);
      const keyRows = results.slice(-UPDATED_TABLES.length) as Array<Array<{ column: string }>>;
      const keys = new Map<string, string[]>(
        UPDATED_TABLES.map((table, i) => [table, (keyRows[i] ?? []).map((r) => r.column)]),
      );
      return new ShadowWriter(thread, checkpointName, keys);
    } catch (error) {
      await thread.close();
      throw error;
    }
  }

  /** Writes one flush and the checkpoint `scannedUpTo` in one transaction. */
  async write(rows: FlushWrite, scannedUpTo: bigint): Promise<void> {
    const steps: SqlStep[] = [
      ...this.upsert('stream_checkpoints', rows.streams),
      ...this.upsert('accounts', rows.accounts),
      ...this.upsert('holds', rows.holds),
      ...this.upsert('transfers', rows.transfers),
      ...this.upsert('daily_balances', rows.daily),
      ...this.copySteps(rows.ledgerEntries, ident('ledger_entries')),
      ...this.copySteps(rows.transferHistory, ident('transfer_status_history')),
      // As advanceCheckpoint: the position and the last event time only move forward.
      {
        query: `INSERT INTO projection_checkpoints (name, position, last_event_at, updated_at)
         VALUES ($1, $2::bigint, $3::timestamptz, now())
         ON CONFLICT (name) DO UPDATE SET
           position = GREATEST(projection_checkpoints.position, EXCLUDED.position),
           last_event_at = GREATEST(projection_checkpoints.last_event_at, EXCLUDED.last_event_at),
           updated_at = now()`,
        params: [this.checkpointName, scannedUpTo.toString(), rows.lastOccurredAt ?? null],
      },
    ];
    await this.thread.run(steps, true);
  }

  async close(): Promise<void> {
    await this.thread.close();
  }

  /** The COPY of `rows` into `target`, encoded: none for no rows. */
  private copySteps<R extends object>(rows: readonly R[], target: string): SqlStep[] {
    if (rows.length === 0) return [];
    const columns = columnsOf(rows);
    const chunks = [...copyText(columns, rows)].map((chunk) => this.thread.encode(chunk));
    return [{ copy: `COPY ${target} (${columns.map(ident).join(', ')}) FROM STDIN`, chunks }];
  }

  private upsert<R extends object>(table: UpdatedTable, rows: TableRows<R>): SqlStep[] {
    const steps = this.copySteps(rows.inserts, ident(table));
    const updates = rows.updates;
    if (updates.length === 0) return steps;
    const key = this.keys.get(table) ?? [];
    const set = columnsOf(updates)
      .filter((c) => !key.includes(c))
      .map((c) => `${ident(c)} = s.${ident(c)}`);
    const match = key.map((c) => `t.${ident(c)} = s.${ident(c)}`);
    if (set.length === 0 || match.length === 0) throw new Error(`cannot update ${table} by key`);
    return [
      ...steps,
      ...this.copySteps(updates, stageOf(table)),
      {
        query: `UPDATE ${ident(table)} t SET ${set.join(', ')} FROM ${stageOf(table)} s WHERE ${match.join(' AND ')}`,
      },
    ];
  }
}

/** A table's columns: the properties of its row shape (@bank/read-models, tables/), as named. */
function columnsOf<R extends object>(rows: readonly R[]): Array<keyof R & string> {
  return Object.keys(rows[0] ?? {}) as Array<keyof R & string>;
}

const ROWS_PER_CHUNK = 500;

/** Rows in COPY's text format, a chunk of lines at a time. */
export function* copyText<R>(
  columns: ReadonlyArray<keyof R & string>,
  rows: readonly R[],
): Generator<string> {
  let chunk = '';
  let count = 0;
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i += 1) {
      if (i > 0) line += '\t';
      line += copyField(row[columns[i] as keyof R]);
    }
    chunk += `${line}\n`;
    count += 1;
    if (count === ROWS_PER_CHUNK) {
      yield chunk;
      chunk = '';
      count = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY's text format: \N for null, backslash escapes in text. */
export function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string') {
    return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c] ?? c) : value;
  }
  throw new TypeError(`no COPY text for a ${typeof value}`);
}
