import type { EventFilter, EventStore } from '@bank/event-store';
import type { ProjectionEvent } from '@bank/read-models';
import {
  copyableTable,
  CopyLines,
  CopyReader,
  copyTextValue,
  RECORDED_AT_ISO,
  selectionSql,
} from '../events/copy-events.js';
import { decodeForProjection, toProjectionBatch } from '../projection/decode.js';

export interface EventPage {
  readonly events: ProjectionEvent[];
  /** Every event up to here has been read (the page's last position, or the head). */
  readonly scannedUpTo: bigint;
  /** Events the page stands for, when more than `events` (those already applied are left out). */
  readonly read?: number;
}

export interface ReadOptions {
  /** Stop once the head is at most this many positions ahead. */
  readonly stopAtLag: number;
  readonly filter: EventFilter | undefined;
}

/**
 * The rebuild's events after `after`, decoded for the fold, in pages of at most `pageSize`, until
 * the lag fits `stopAtLag`. From PostgreSQL, each stretch up to the head is one COPY, decoded
 * line by line straight into projection events; from another store, pages of `readAll`.
 */
export interface EventPages {
  pages(after: bigint, pageSize: number, options: ReadOptions): AsyncGenerator<EventPage>;
  close(): Promise<void>;
}

export async function openEventPages(store: EventStore, databaseUrl: string): Promise<EventPages> {
  const table = copyableTable(store);
  if (table === undefined) return { pages: (...args) => storePages(store, ...args), close: noop };
  const reader = await CopyReader.open(databaseUrl);
  return {
    pages: (...args) => copyPages(store, reader, table, ...args),
    close: () => reader.close(),
  };
}

const noop = (): Promise<void> => Promise.resolve();

/** What the projection reads of an event, in this order: see decodeLine. */
const PROJECTION_COLUMNS = `e.position, e.stream_id, e.revision, e.event_id, e.type, e.data,
  e.metadata -> 'schemaVersion', e.metadata -> 'occurredAt', e.metadata -> 'correlationId',
  ${RECORDED_AT_ISO}`;

async function* copyPages(
  store: EventStore,
  reader: CopyReader,
  table: string,
  after: bigint,
  pageSize: number,
  options: ReadOptions,
): AsyncGenerator<EventPage> {
  let cursor = after;
  for (;;) {
    const span = await nextSpan(store, table, cursor, options);
    if (!span) return;
    const { upTo } = span;
    const lines = new CopyLines();
    let events: ProjectionEvent[] = [];
    for await (const chunk of reader.copy(span.query)) {
      for (const line of lines.push(chunk)) {
        const event = decodeLine(line);
        events.push(event);
        if (events.length < pageSize) continue;
        yield { events, scannedUpTo: event.position };
        events = [];
      }
    }
    for (const line of lines.end()) events.push(decodeLine(line));
    cursor = upTo;
    yield { events, scannedUpTo: upTo };
  }
}

/**
 * The next COPY of the events after `cursor`: up to the head, or COPY_SPAN positions, with its
 * query (PROJECTION_COLUMNS in position order); undefined once the lag fits `stopAtLag`.
 */
export async function nextSpan(
  store: EventStore,
  table: string,
  cursor: bigint,
  options: ReadOptions,
): Promise<{ upTo: bigint; query: string } | undefined> {
  const head = await store.headPosition();
  if (head - cursor <= BigInt(options.stopAtLag)) return undefined;
  const upTo = head - cursor > COPY_SPAN ? cursor + COPY_SPAN : head;
  const where = selectionSql({
    after: cursor,
    upTo,
    streamPrefixes: options.filter?.streamPrefixes,
    types: options.filter?.eventTypes,
  });
  const query = `SELECT ${PROJECTION_COLUMNS} FROM ${table} e WHERE ${where} ORDER BY e.position`;
  return { upTo, query };
}

/**
 * Positions one COPY covers at most. A COPY holds its snapshot until it ends, and a snapshot held
 * for the whole bulk phase would keep VACUUM from every row the database changes meanwhile.
 */
const COPY_SPAN = 50_000n;

const NULL = '\\N';

/** One line of PROJECTION_COLUMNS' COPY output as a projection event. */
export function decodeLine(line: string): ProjectionEvent {
  const fields = line.split('\t');
  if (fields.length !== 10) throw new Error(`unexpected COPY row: ${line.slice(0, 200)}`);
  const [position, streamId, revision, eventId, type, data, version, occurredAt, correlation, at] =
    fields as [string, string, string, string, string, string, string, string, string, string];
  const metadata = {
    schemaVersion: jsonField(version),
    occurredAt: jsonField(occurredAt),
    correlationId: jsonField(correlation),
  };
  return decodeForProjection({
    position: BigInt(position),
    streamId: copyTextValue(streamId),
    revision: BigInt(revision),
    eventId,
    type: copyTextValue(type),
    data: JSON.parse(copyTextValue(data)) as unknown,
    metadata,
    recordedAt: at,
  });
}

/** A jsonb field: absent (NULL) as undefined; a plain string without parsing. */
function jsonField(field: string): unknown {
  if (field === NULL) return undefined;
  if (field.charCodeAt(0) === 0x22 && field.indexOf('\\') < 0) return field.slice(1, -1);
  return JSON.parse(copyTextValue(field)) as unknown;
}

/** Pages of `readAll`, each next page read while this one is used. */
async function* storePages(
  store: EventStore,
  after: bigint,
  pageSize: number,
  options: ReadOptions,
): AsyncGenerator<EventPage> {
  const read = async (from: bigint): Promise<EventPage | undefined> => {
    const head = await store.headPosition();
    if (head - from <= BigInt(options.stopAtLag)) return undefined;
    const events = await store.readAll({
      after: from,
      upTo: head,
      maxCount: pageSize,
      filter: options.filter,
    });
    const last = events.at(-1)?.position;
    const scannedUpTo = events.length < pageSize || last === undefined ? head : last;
    return { events: toProjectionBatch(events), scannedUpTo };
  };
  let next = read(after);
  for (;;) {
    const page = await next;
    if (!page) return;
    next = read(page.scannedUpTo);
    next.catch(() => undefined);
    yield page;
  }
}
