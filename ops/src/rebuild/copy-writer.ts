import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ident } from './projections.js';
import type { ShadowSchema } from './shadow-schema.js';
import type { FlushRows, TableRows } from './shadow-state.js';

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
 * Writes the rebuild's flushes into the shadow tables over a connection of its own, with COPY:
 * new rows straight into their table, changed rows into a temporary staging table and from there
 * with one UPDATE ... FROM per table. Ledger entries and transfer history are only ever inserted
 * (a duplicate is a bug, and fails on the primary key). One transaction per flush, with the
 * rebuild's checkpoint in it: a crash leaves the shadow at a flush boundary.
 */
export class ShadowWriter {
  private constructor(
    private readonly client: pg.Client,
    private readonly checkpointName: string,
    /** Primary key columns of the updated tables, from the catalog. */
    private readonly keys: ReadonlyMap<string, readonly string[]>,
  ) {}

  static async open(databaseUrl: string, schema: ShadowSchema): Promise<ShadowWriter> {
    const client = new pg.Client({ connectionString: databaseUrl });
    // A lost connection fails the query in flight; the error event itself needs no handling.
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(`SET search_path TO ${ident(schema.shadow)}`);
      // The staging tables are never analyzed, so the planner would hash-join each UPDATE with a
      // scan of the whole shadow table: every flush would cost as much as the table is large.
      // Probing the primary key once per staged row keeps a flush's cost to its own rows.
      await client.query('SET enable_hashjoin = off');
      await client.query('SET enable_mergejoin = off');
      // A flush and its checkpoint commit together, so a server crash that loses the last few
      // commits leaves the shadow at an earlier flush boundary, which the rerun resumes from.
      // Waiting for each flush's WAL to reach the disk buys nothing more.
      await client.query('SET synchronous_commit = off');
      const keys = new Map<string, string[]>();
      for (const table of UPDATED_TABLES) {
        await client.query(
          `CREATE TEMP TABLE ${stageOf(table)} (LIKE ${ident(table)}) ON COMMIT DELETE ROWS`,
        );
        const key = await client.query<{ column: string }>(
          `SELECT a.attname AS column FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = $1::regclass AND i.indisprimary`,
          [`${ident(schema.shadow)}.${ident(table)}`],
        );
        keys.set(
          table,
          key.rows.map((r) => r.column),
        );
      }
      return new ShadowWriter(client, schema.checkpointName, keys);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** Writes one flush and the checkpoint `scannedUpTo` in one transaction. */
  async write(rows: FlushRows, scannedUpTo: bigint): Promise<void> {
    await this.client.query('BEGIN');
    try {
      await this.upsert('stream_checkpoints', rows.streams);
      await this.upsert('accounts', rows.accounts);
      await this.upsert('holds', rows.holds);
      await this.upsert('transfers', rows.transfers);
      await this.upsert('daily_balances', rows.daily);
      await this.copy(rows.ledgerEntries, ident('ledger_entries'));
      await this.copy(rows.transferHistory, ident('transfer_status_history'));
      // As advanceCheckpoint: the position and the last event time only move forward.
      await this.client.query(
        `INSERT INTO projection_checkpoints (name, position, last_event_at, updated_at)
         VALUES ($1, $2::bigint, $3::timestamptz, now())
         ON CONFLICT (name) DO UPDATE SET
           position = GREATEST(projection_checkpoints.position, EXCLUDED.position),
           last_event_at = GREATEST(projection_checkpoints.last_event_at, EXCLUDED.last_event_at),
           updated_at = now()`,
        [this.checkpointName, scannedUpTo.toString(), rows.lastOccurredAt ?? null],
      );
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async upsert<R extends object>(table: UpdatedTable, rows: TableRows<R>): Promise<void> {
    await this.copy([...rows.inserts.values()], ident(table));
    const updates = [...rows.updates.values()];
    if (updates.length === 0) return;
    await this.copy(updates, stageOf(table));
    const key = this.keys.get(table) ?? [];
    const set = columnsOf(updates)
      .filter((c) => !key.includes(c))
      .map((c) => `${ident(c)} = s.${ident(c)}`);
    const match = key.map((c) => `t.${ident(c)} = s.${ident(c)}`);
    if (set.length === 0 || match.length === 0) throw new Error(`cannot update ${table} by key`);
    await this.client.query(
      `UPDATE ${ident(table)} t SET ${set.join(', ')} FROM ${stageOf(table)} s WHERE ${match.join(' AND ')}`,
    );
  }

  private async copy<R extends object>(rows: readonly R[], target: string): Promise<void> {
    if (rows.length === 0) return;
    const columns = columnsOf(rows);
    await pipeline(
      Readable.from(copyText(columns, rows)),
      this.client.query(copyFrom(`COPY ${target} (${columns.map(ident).join(', ')}) FROM STDIN`)),
    );
  }
}

/** The columns of a table's rows: the properties of its row shape (rows.ts), named as the columns. */
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
