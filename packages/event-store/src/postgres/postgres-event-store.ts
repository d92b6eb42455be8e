import pg from 'pg';
import { BatchQueue, pgConstraint, pgDetail, pgErrorKind, type Pending } from '@bank/platform/core';
import {
  checkStreamAppends,
  ConcurrencyError,
  DuplicateEventError,
  type AppendResult,
  type MultiStreamAppendResult,
  type StreamAppend,
  type EventFilter,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../port.js';
import { EventStoreUnavailableError } from '../port.js';
import { isUnavailable, translateInfrastructureError } from './errors.js';

/**
 * One append waiting for group commit: a single append (one stream) or an atomic multi-stream
 * append (its streams go in together or not at all).
 */
interface AppendRequest {
  readonly appends: readonly StreamAppend[];
  readonly atomic: boolean;
}
import { AppendNotifier } from './notifier.js';
import { constraintNames, migrateEventTable, parseTableName, type TableName } from './schema.js';
import { PollingSubscription, type Page } from './subscription.js';

export interface PostgresEventStoreOptions {
  /** `[schema.]table`; default `events`, resolved through the connection's search_path. */
  readonly table?: string;
  /**
   * NOTIFY channel that wakes subscriptions. Stores on different tables may share it: a
   * foreign notification only causes one extra read.
   */
  readonly notifyChannel?: string;
  /** Subscriptions re-read at least this often even without a notification. */
  readonly pollIntervalMs?: number;
  /** Events a subscription reads per query. */
  readonly subscriptionPageSize?: number;
  /** Called when the LISTEN connection fails; subscriptions keep working by polling. */
  readonly onListenError?: (error: unknown) => void;
}

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

/**
 * The PostgreSQL event store: one append-only table, a global position from a sequence,
 * optimistic concurrency on the stream revision, LISTEN/NOTIFY to wake subscriptions.
 *
 * Every append goes through the append functions (schema.ts), whose lock protocol is what makes
 * the global order safe to follow; nothing may insert into the table any other way.
 */
export class PostgresEventStore implements EventStore {
  readonly table: TableName;
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly channel: string;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly notifier: AppendNotifier;
  private readonly subscriptions = new Set<PollingSubscription>();
  private readonly names: { eventId: string; streamRevision: string };
  private closed = false;
  /**
   * Group commit for appends from one process. Appends are serialised by the table's lock and
   * each commit waits for its WAL flush, so one append at a time caps throughput at one flush
   * per append. Here the first append goes out at once; appends that arrive while a batch is in
   * flight wait for it and then go together, in arrival order, in one transaction and one flush.
   * A lone writer pays nothing; concurrent writers share flushes.
   */
  private readonly batcher = new BatchQueue<AppendRequest, MultiStreamAppendResult>(
    (batch) => this.flushAppends(batch),
    { maxInFlight: 1, maxBatch: 64 },
  );

  constructor(
    connection: pg.Pool | pg.PoolConfig | string,
    tableOrOptions: string | PostgresEventStoreOptions = {},
  ) {
    const options: PostgresEventStoreOptions =
      typeof tableOrOptions === 'string' ? { table: tableOrOptions } : tableOrOptions;
    this.table = parseTableName(options.table ?? 'events');
    this.names = constraintNames(this.table);
    this.channel = options.notifyChannel ?? 'event_store_appended';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(this.channel)) {
      throw new Error(`invalid notify channel "${this.channel}"`);
    }
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.pageSize = options.subscriptionPageSize ?? 500;

    let listenConfig: pg.ClientConfig;
    if (isPool(connection)) {
      this.pool = connection;
      this.ownsPool = false;
      listenConfig = connection.options;
    } else {
      listenConfig = typeof connection === 'string' ? { connectionString: connection } : connection;
      this.pool = new pg.Pool(listenConfig);
      this.ownsPool = true;
      // An idle client that dies is reported here; without a listener it would crash the process.
      this.pool.on('error', () => undefined);
    }
    // A checked-out client whose server goes away reports on itself (pg-pool lends it without its
    // idle listener): without one, a PostgreSQL restart crashes the process. The query rejects.
    this.pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    this.notifier = new AppendNotifier(listenConfig, this.channel, options.onListenError);
  }

  /** Creates the table, sequence and indexes if missing (idempotent, safe to run concurrently). */
  async migrate(): Promise<void> {
    try {
      await migrateEventTable(this.pool, this.table);
    } catch (error) {
      throw translateInfrastructureError(error);
    }
  }

  /** Atomic multi-stream appends share the group commit of single appends (see `batcher`). */
  readonly supportsMultiStreamAppend = true;

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (this.closed) throw new Error('event store is closed');
    const result = await this.batcher.submit({
      appends: [{ streamId, events, expectedRevision: expected }],
      atomic: false,
    });
    return {
      nextExpectedRevision: result.streams[0]?.nextExpectedRevision ?? -1n,
      position: result.position,
    };
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<MultiStreamAppendResult> {
    if (this.closed) throw new Error('event store is closed');
    checkStreamAppends(appends);
    return await this.batcher.submit({ appends, atomic: true });
  }

  /**
   * One autocommit call of the append function: lock, check, insert and commit without a round
   * trip to this process while the lock is held (see appendFunctionSql).
   */
  private async appendAlone(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return await this.appendLocked(client, streamId, events, expected);
    } catch (error) {
      if (isUnavailable(error)) broken = error as Error;
      throw this.mapAppendError(error, streamId, events, expected);
    } finally {
      client.release(broken);
    }
  }

  /**
   * Appends a batch in one transaction (see `batcher` and appendBatchFunctionSql); each
   * request gets its own answer, and the streams of a multi-stream append go in all or none. A
   * batch the function cannot take as a whole (an event id repeated inside one request, say) is
   * retried one request at a time, so every error lands on the request that caused it.
   */
  private async flushAppends(
    batch: ReadonlyArray<Pending<AppendRequest, MultiStreamAppendResult>>,
  ): Promise<void> {
    const first = batch[0];
    if (batch.length === 1 && first && !first.item.atomic) {
      // A lone single append: the append function, which answers an empty append too.
      const [only] = first.item.appends as [StreamAppend];
      return this.appendAlone(only.streamId, only.events, only.expectedRevision).then(
        (result) =>
          first.resolve({
            streams: [
              { streamId: only.streamId, nextExpectedRevision: result.nextExpectedRevision },
            ],
            position: result.position,
          }),
        first.reject,
      );
    }
    let rows: BatchRow[];
    try {
      rows = await this.callBatchFunction(batch.map((pending) => pending.item));
    } catch (error) {
      if (error instanceof EventStoreUnavailableError) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      if (batch.length === 1 && first) {
        first.reject(this.mapBatchError(error, first.item));
        return;
      }
      rows = [];
    }
    const itemCount = batch.reduce((sum, pending) => sum + pending.item.appends.length, 0);
    if (rows.length !== itemCount) {
      await Promise.all(batch.map((pending) => this.flushAppends([pending])));
      return;
    }
    let next = 0;
    for (const pending of batch) {
      const own = rows.slice(next, next + pending.item.appends.length);
      next += pending.item.appends.length;
      settle(pending, own);
    }
  }

  /** One call of the group-commit function over the requests' streams, in order. */
  private async callBatchFunction(requests: readonly AppendRequest[]): Promise<BatchRow[]> {
    const items = requests.flatMap((request, group) =>
      request.appends.map((append) => ({ ...append, group })),
    );
    const events = items.flatMap((item) => item.events);
    const parameters = [
      items.map((i) => i.streamId),
      items.map((i) => (typeof i.expectedRevision === 'bigint' ? 'exact' : i.expectedRevision)),
      items.map((i) =>
        typeof i.expectedRevision === 'bigint' ? i.expectedRevision.toString() : null,
      ),
      items.map((i) => i.events.length),
      items.map((i) => i.group),
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => JSON.stringify(e.metadata)),
      this.channel,
    ];
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      const result = await client.query<BatchRow>(
        `SELECT out_item, out_status, out_current::text, out_position::text, out_revision::text
           FROM ${this.table.appendBatchFunctionSql}(
                  $1::text[], $2::text[], $3::bigint[], $4::int[], $5::int[],
                  $6::uuid[], $7::text[], $8::jsonb[], $9::jsonb[], $10)`,
        parameters,
      );
      return result.rows;
    } catch (error) {
      if (isUnavailable(error)) broken = error as Error;
      throw translateInfrastructureError(error);
    } finally {
      client.release(broken);
    }
  }

  /** The typed error of a request the group-commit function refused as a whole. */
  private mapBatchError(error: unknown, request: AppendRequest): unknown {
    const [head] = request.appends;
    if (!head) return error;
    return this.mapAppendError(
      error,
      head.streamId,
      request.appends.flatMap((a) => a.events),
      head.expectedRevision,
    );
  }

  /**
   * Appends inside a transaction the caller opened on `client` (BEGIN ... COMMIT is theirs),
   * so that other writes can commit atomically with the events. The append lock is then held
   * until the caller's transaction ends: keep it short. On ConcurrencyError the transaction is
   * still usable; on DuplicateEventError and other database errors it is aborted.
   *
   * Why the global order can be followed without skipping:
   * positions come from a sequence, and a sequence hands out numbers when a transaction
   * asks, not when it commits. Without care, T1 takes position 10, T2 takes 11, T2 commits,
   * a reader reads "after 9" and sees 11, moves its cursor to 11, and then T1 commits 10:
   * the reader never sees it. So every append first takes one transaction-level advisory
   * lock per table (`pg_advisory_xact_lock`), and only then draws its positions. PostgreSQL
   * releases that lock after the commit has become visible, so the next appender draws its
   * positions only after every lower position is either committed and visible or rolled
   * back (a harmless gap). Positions therefore become visible in increasing order, and a
   * reader that sees position p can already see every event below p. The price is that
   * appends to one table are serialised (docs/benchmarks.md has the cost); EventStoreDB has
   * the same single-writer shape.
   *
   * The lock is taken in a statement of its own, before the statement that checks the
   * revision and inserts: a statement's snapshot is taken when it starts, so only a later
   * statement sees the previous appender's commit. Both statements run inside the append
   * function, server-side.
   */
  async appendInTransaction(
    client: pg.ClientBase,
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    try {
      return await this.appendLocked(client, streamId, events, expected);
    } catch (error) {
      throw this.mapAppendError(error, streamId, events, expected);
    }
  }

  /** Calls the append function: lock, revision check and insert, in one round trip. */
  private async appendLocked(
    client: pg.ClientBase,
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const result = await client.query<{
      out_current: string | null;
      out_position: string | null;
      out_revision: string | null;
      out_head: string;
    }>(
      `SELECT out_current::text, out_position::text, out_revision::text, out_head::text
         FROM ${this.table.appendFunctionSql}($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[], $8)`,
      [
        streamId,
        typeof expected === 'bigint' ? 'exact' : expected,
        typeof expected === 'bigint' ? expected.toString() : null,
        events.map((e) => e.eventId),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
        events.map((e) => JSON.stringify(e.metadata)),
        this.channel,
      ],
    );
    const row = result.rows[0];
    if (!row) throw new Error('append returned no row');
    const current = row.out_current === null ? undefined : BigInt(row.out_current);
    checkExpected(streamId, expected, current);
    if (row.out_position === null || row.out_revision === null) {
      if (events.length > 0) throw new Error(`append to ${streamId} inserted nothing`);
      // Appending nothing only checks the revision; the head is the consistency token.
      return { nextExpectedRevision: current ?? -1n, position: BigInt(row.out_head) };
    }
    return { nextExpectedRevision: BigInt(row.out_revision), position: BigInt(row.out_position) };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const result = await this.query<EventRow>(
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
    const result = await this.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${this.table.sql} e WHERE ${conditions.join(' AND ')}`,
      params,
    );
    return Number(result.rows[0]?.n ?? '0');
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    if (this.closed) throw new Error('event store is closed');
    const subscription = new PollingSubscription({
      after: options.after ?? 0n,
      readPage: (after) => this.readPage(after, this.pageSize, options.filter),
      notifier: this.notifier,
      pollIntervalMs: this.pollIntervalMs,
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    const result = await this.query<{ head: string }>(
      `SELECT coalesce(max(position), 0)::text AS head FROM ${this.table.sql}`,
    );
    return BigInt(result.rows[0]?.head ?? '0');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.notifier.close();
    if (this.ownsPool) await this.pool.end();
  }

  /**
   * One page after `after`, plus how far it looked. The page and the head come from one
   * statement, hence one snapshot: when the page is not full, every event up to that head
   * has been seen (see appendInTransaction), so the cursor may jump there even when the
   * filter dropped them all.
   */
  private async readPage(
    after: bigint,
    maxCount: number,
    filter: EventFilter | undefined,
    upTo?: bigint,
  ): Promise<Page> {
    const params: unknown[] = [after.toString(), maxCount];
    const conditions = rangeConditions(upTo, filter, params);
    const result = await this.query<PageRow>(
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

  private mapAppendError(
    error: unknown,
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): unknown {
    if (pgErrorKind(error) !== 'unique_violation') return translateInfrastructureError(error);
    const constraint = pgConstraint(error);
    if (constraint === this.names.eventId) {
      const match = /\(event_id\)=\(([^)]+)\)/.exec(pgDetail(error) ?? '');
      return new DuplicateEventError(match?.[1] ?? events[0]?.eventId ?? 'unknown');
    }
    if (constraint === this.names.streamRevision) {
      // Only reachable if something inserted without the append lock; the actual revision
      // is unknown inside the aborted transaction, so report the one that was expected.
      return new ConcurrencyError(streamId, expected, expected === 'any' ? 'no_stream' : expected);
    }
    return error;
  }

  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new Error('event store is closed');
    try {
      return await this.pool.connect();
    } catch (error) {
      throw translateInfrastructureError(error);
    }
  }

  private async query<R extends pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    if (this.closed) throw new Error('event store is closed');
    try {
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      throw translateInfrastructureError(error);
    }
  }
}

/** Duck-typed, so that a pool from another copy of `pg` in node_modules is recognised too. */
function isPool(connection: pg.Pool | pg.PoolConfig | string): connection is pg.Pool {
  return (
    typeof connection === 'object' &&
    typeof (connection as Partial<pg.Pool>).connect === 'function' &&
    typeof (connection as Partial<pg.Pool>).query === 'function'
  );
}

interface BatchRow {
  out_item: number;
  out_status: 'ok' | 'conflict' | 'duplicate' | 'aborted';
  out_current: string | null;
  out_position: string | null;
  out_revision: string | null;
}

/**
 * Answers one request from its rows (one per stream, in order): the first stream whose revision
 * did not hold, else the first whose event ids exist already, else the positions.
 */
function settle(
  pending: Pending<AppendRequest, MultiStreamAppendResult>,
  rows: readonly BatchRow[],
): void {
  const { appends } = pending.item;
  const first = (status: BatchRow['out_status']): number =>
    rows.findIndex((row) => row.out_status === status);
  const conflict = first('conflict');
  const failed = conflict >= 0 ? conflict : first('duplicate');
  if (failed >= 0) {
    const row = rows[failed] as BatchRow;
    const append = appends[failed] as StreamAppend;
    if (row.out_status === 'conflict') {
      const current = row.out_current === null ? 'no_stream' : BigInt(row.out_current);
      pending.reject(new ConcurrencyError(append.streamId, append.expectedRevision, current));
    } else {
      pending.reject(new DuplicateEventError(append.events[0]?.eventId ?? 'unknown'));
    }
    return;
  }
  if (rows.some((row) => row.out_status !== 'ok')) {
    pending.reject(new Error('multi-stream append aborted without a failing stream'));
    return;
  }
  const streams = rows.map((row, index) => ({
    streamId: (appends[index] as StreamAppend).streamId,
    nextExpectedRevision: BigInt(row.out_revision ?? '-1'),
  }));
  const position = rows.at(-1)?.out_position;
  if (position === undefined || position === null) {
    pending.reject(new Error('multi-stream append returned no position'));
    return;
  }
  pending.resolve({ streams, position: BigInt(position) });
}

function checkExpected(
  streamId: string,
  expected: ExpectedRevision,
  current: bigint | undefined,
): void {
  if (expected === 'any') return;
  if (expected === 'no_stream' ? current === undefined : current === expected) return;
  throw new ConcurrencyError(streamId, expected, current ?? 'no_stream');
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
