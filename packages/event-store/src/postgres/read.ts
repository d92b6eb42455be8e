import type {
  EventFilter,
  JsonObject,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../port.js';
import type { StorePool } from './pool.js';
import type { TableName } from './schema.js';
import type { Page } from './subscription.js';

interface EventRow {
  position_text: string | null;
  stream_id: string | null;
  revision_text: string | null;
  event_id: string | null;
  type: string | null;
  data: JsonObject | null;
  metadata: JsonObject | null;
  recorded_ms: string | null;
}

interface PageRow extends EventRow {
  head: string | null;
}

/**
 * Columns of an event row read from the table aliased `e`. int8 comes back as text so that
 * no global pg type parser can turn it into a lossy number. The text copies get names of
 * their own: `ORDER BY position` must keep sorting the bigint column, not a text alias.
 * `recorded_at` comes as epoch milliseconds (a JS Date's precision): a number is far cheaper to
 * turn into a Date than timestamptz text, which every read of every event paid.
 */
const EVENT_COLUMNS = `e.position, e.position::text AS position_text, e.stream_id,
  e.revision::text AS revision_text, e.event_id::text AS event_id, e.type, e.data, e.metadata,
  floor(extract(epoch FROM e.recorded_at) * 1000)::bigint::text AS recorded_ms`;

/** Reads of the event table: one stream, the global order, its head. */
export class EventReader {
  constructor(
    private readonly db: StorePool,
    private readonly table: TableName,
  ) {}

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const result = await this.db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.table.sql} e
        WHERE e.stream_id = $1 AND e.revision >= $2
        ORDER BY e.revision
        LIMIT $3`,
      [streamId, (options.fromRevision ?? 0n).toString(), options.maxCount ?? null],
    );
    return result.rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const page = await this.readPage(
      options.after ?? 0n,
      options.maxCount,
      options.filter,
      options.upTo,
    );
    return [...page.events];
  }

  async countEvents(options: Omit<ReadAllOptions, 'maxCount'>): Promise<number> {
    const params: unknown[] = [(options.after ?? 0n).toString()];
    const conditions = rangeConditions(options.upTo, options.filter, params);
    const result = await this.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${this.table.sql} e WHERE ${conditions.join(' AND ')}`,
      params,
    );
    return Number(result.rows[0]?.n ?? '0');
  }

  async headPosition(): Promise<bigint> {
    const result = await this.db.query<{ head: string }>(
      `SELECT coalesce(max(position), 0)::text AS head FROM ${this.table.sql}`,
    );
    return BigInt(result.rows[0]?.head ?? '0');
  }

  /**
   * One page after `after`, plus how far it looked. The page and the head come from one
   * statement, hence one snapshot: when the page is not full, every event up to that head
   * has been seen (see appendInTransaction in append.ts), so the cursor may jump there even
   * when the filter dropped them all.
   */
  async readPage(
    after: bigint,
    maxCount: number,
    filter: EventFilter | undefined,
    upTo?: bigint,
  ): Promise<Page> {
    const params: unknown[] = [after.toString(), maxCount];
    const conditions = rangeConditions(upTo, filter, params);
    const result = await this.db.query<PageRow>(
      `SELECT p.*, h.head::text AS head
         FROM (SELECT max(position) AS head FROM ${this.table.sql}) h
         LEFT JOIN LATERAL (
           SELECT ${EVENT_COLUMNS} FROM ${this.table.sql} e
            WHERE ${conditions.join(' AND ')}
            ORDER BY e.position
            LIMIT $2) p ON true
        ORDER BY p.position`,
      params,
    );
    const events = result.rows.filter((row) => row.position_text !== null).map(toRecordedEvent);
    const full = events.length >= maxCount;
    const lastSeen = events.at(-1)?.position ?? after;
    let scannedUpTo = lastSeen;
    if (!full) {
      const head = BigInt(result.rows[0]?.head ?? '0');
      const limit = upTo !== undefined && upTo < head ? upTo : head;
      if (limit > scannedUpTo) scannedUpTo = limit;
    }
    return { events, scannedUpTo, full };
  }
}

/** SQL conditions for the events after `$1` (params[0]) up to `upTo` that match `filter`. */
function rangeConditions(
  upTo: bigint | undefined,
  filter: EventFilter | undefined,
  params: unknown[],
): string[] {
  const conditions = ['e.position > $1'];
  if (upTo !== undefined) {
    params.push(upTo.toString());
    conditions.push(`e.position <= $${params.length}`);
  }
  conditions.push(...filterConditions(filter, params));
  return conditions;
}

/** SQL conditions for a filter; empty or missing lists do not filter. */
function filterConditions(filter: EventFilter | undefined, params: unknown[]): string[] {
  const conditions: string[] = [];
  const prefixes = filter?.streamPrefixes ?? [];
  if (prefixes.length > 0) {
    const likes = prefixes.map((prefix) => {
      params.push(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      return `e.stream_id LIKE $${params.length}`;
    });
    conditions.push(`(${likes.join(' OR ')})`);
  }
  const types = filter?.eventTypes ?? [];
  if (types.length > 0) {
    params.push(types);
    conditions.push(`e.type = ANY($${params.length}::text[])`);
  }
  return conditions;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id ?? '',
    revision: BigInt(row.revision_text ?? '0'),
    position: BigInt(row.position_text ?? '0'),
    eventId: row.event_id ?? '',
    type: row.type ?? '',
    data: row.data ?? {},
    metadata: row.metadata ?? {},
    recordedAt: new Date(Number(row.recorded_ms ?? 0)),
  };
}
