import { PostgresEventStore, type EventStore } from '@bank/event-store';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * Reading the PostgreSQL event store's table with `COPY (SELECT ...) TO STDOUT`: one statement
 * streams a whole position range, under one snapshot, with the socket's back-pressure, and with
 * no per-row result objects. The range's upper bound must be a head the store has reported: the
 * store's append lock makes every position up to a seen head visible (see appendInTransaction).
 */

/** The store's table for COPY, or undefined when the store is not PostgreSQL's (EventStoreDB). */
export function copyableTable(store: EventStore): string | undefined {
  return store instanceof PostgresEventStore ? store.table.sql : undefined;
}

/** Which events of the table a COPY selects; every bound and list narrows. */
export interface EventSelection {
  readonly after: bigint;
  /** Inclusive. */
  readonly upTo: bigint;
  readonly streamPrefixes?: readonly string[] | undefined;
  /** Exact stream ids; add up with the prefixes. */
  readonly streams?: readonly string[] | undefined;
  readonly types?: readonly string[] | undefined;
  /** Inclusive, on recorded_at to the millisecond (as RecordedEvent.recordedAt). */
  readonly since?: Date | undefined;
  readonly until?: Date | undefined;
}

/** The WHERE clause of a selection over table alias `e`, with its values as literals. */
export function selectionSql(selection: EventSelection): string {
  const conditions = [
    `e.position > ${selection.after.toString()}`,
    `e.position <= ${selection.upTo.toString()}`,
  ];
  const streams = [
    ...(selection.streamPrefixes ?? []).map(
      (prefix) => `e.stream_id LIKE ${literal(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`,
    ),
    ...(selection.streams ?? []).map((stream) => `e.stream_id = ${literal(stream)}`),
  ];
  if (streams.length > 0) conditions.push(`(${streams.join(' OR ')})`);
  if (selection.types?.length) {
    conditions.push(`e.type IN (${selection.types.map(literal).join(', ')})`);
  }
  const millis = `date_trunc('milliseconds', e.recorded_at)`;
  if (selection.since) conditions.push(`${millis} >= ${timestamp(selection.since)}`);
  if (selection.until) conditions.push(`${millis} <= ${timestamp(selection.until)}`);
  return conditions.join(' AND ');
}

/** recorded_at as RecordedEvent.recordedAt.toISOString() prints it. */
export const RECORDED_AT_ISO = `to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A string literal whatever standard_conforming_strings says: E'' with \ and ' escaped. */
function literal(text: string): string {
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function timestamp(at: Date): string {
  return `${literal(at.toISOString())}::timestamptz`;
}

/** A connection of its own for one COPY at a time; COPY holds the connection while it streams. */
export class CopyReader {
  private constructor(private readonly client: pg.Client) {}

  static async open(databaseUrl: string): Promise<CopyReader> {
    const client = new pg.Client({ connectionString: databaseUrl });
    // A lost connection fails the COPY in flight; the error event itself needs no handling.
    client.on('error', () => undefined);
    await client.connect();
    return new CopyReader(client);
  }

  /** The rows of `COPY (<query>) TO STDOUT <options>`, as raw chunks of its output. */
  copy(query: string, options = ''): AsyncIterable<Buffer> & { readonly rowCount: number } {
    return this.client.query(copyTo(`COPY (${query}) TO STDOUT ${options}`));
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

const NEWLINE = 0x0a;

/**
 * Cuts COPY text output into its lines (one row each, without the newline). Each line is a
 * string of its own, decoded once: a field sliced from it keeps only that line alive, never a
 * whole chunk. A newline byte never occurs inside a multi-byte UTF-8 character.
 */
export class CopyLines {
  private carry: Buffer | undefined;

  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    if (this.carry) {
      // Only the line cut by the chunk's start is pieced together; the rest is read in place.
      const end = chunk.indexOf(NEWLINE);
      if (end < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return lines;
      }
      lines.push(Buffer.concat([this.carry, chunk.subarray(0, end)]).toString('utf8'));
      this.carry = undefined;
      start = end + 1;
    }
    for (let end = chunk.indexOf(NEWLINE, start); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      lines.push(chunk.toString('utf8', start, end));
      start = end + 1;
    }
    // A copy: a view would keep the whole chunk alive for the sake of its last partial line.
    if (start < chunk.length) this.carry = Buffer.from(chunk.subarray(start));
    return lines;
  }

  /** Whatever followed the last newline: nothing, for complete COPY output. */
  end(): string[] {
    const rest = this.carry;
    this.carry = undefined;
    return rest && rest.length > 0 ? [rest.toString('utf8')] : [];
  }
}

const ESCAPED = /\\(.)/g;
const UNESCAPE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One field of COPY text output as its value (COPY TO writes only these backslash escapes). */
export function copyTextValue(field: string): string {
  return field.includes('\\') ? field.replace(ESCAPED, (_, c: string) => UNESCAPE[c] ?? c) : field;
}
