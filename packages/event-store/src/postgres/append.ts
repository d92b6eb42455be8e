import type pg from 'pg';
import { BatchQueue, pgConstraint, pgDetail, pgErrorKind, type Pending } from '@bank/platform/core';
import {
  checkStreamAppends,
  ConcurrencyError,
  DuplicateEventError,
  EventStoreUnavailableError,
  OutcomeRecordedError,
  type AppendOptions,
  type AppendResult,
  type CommandOutcomeKey,
  type EventToAppend,
  type ExpectedRevision,
  type MultiStreamAppendResult,
  type StreamAppend,
} from '../port.js';
import { isUnavailable, translateInfrastructureError } from './errors.js';
import type { StorePool } from './pool.js';
import { constraintNames, type TableName } from './schema.js';

/**
 * One append waiting for group commit: a single append (one stream) or an atomic multi-stream
 * append (its streams go in together or not at all).
 */
interface AppendRequest {
  readonly appends: readonly StreamAppend[];
  readonly atomic: boolean;
  /** The client command recorded as accepted with the events. */
  readonly outcome: CommandOutcomeKey | undefined;
}

interface BatchRow {
  out_item: number;
  out_status: 'ok' | 'conflict' | 'duplicate' | 'recorded' | 'aborted';
  out_current: string | null;
  out_position: string | null;
  out_revision: string | null;
}

/**
 * Appends to the event table, only ever through its append functions (schema.ts), whose lock
 * protocol is what makes the global order safe to follow.
 */
export class EventAppender {
  private readonly names: ReturnType<typeof constraintNames>;
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
    private readonly db: StorePool,
    private readonly table: TableName,
    private readonly channel: string,
  ) {
    this.names = constraintNames(table);
  }

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    this.db.assertOpen();
    const result = await this.batcher.submit({
      appends: [{ streamId, events, expectedRevision: expected }],
      atomic: false,
      outcome: events.length > 0 ? options.outcome : undefined,
    });
    return {
      nextExpectedRevision: result.streams[0]?.nextExpectedRevision ?? -1n,
      position: result.position,
    };
  }

  async appendToStreams(
    appends: readonly StreamAppend[],
    options: AppendOptions = {},
  ): Promise<MultiStreamAppendResult> {
    this.db.assertOpen();
    checkStreamAppends(appends);
    return await this.batcher.submit({ appends, atomic: true, outcome: options.outcome });
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

  /**
   * One autocommit call of the append function: lock, check, insert and commit without a round
   * trip to this process while the lock is held (see appendFunctionSql).
   */
  private async appendAlone(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const client = await this.db.connect();
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
    if (batch.length === 1 && first && !first.item.atomic && !first.item.outcome)
      return this.flushLoneAppend(first);
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
    settleBatch(batch, rows);
  }

  /** A lone single append: the append function, which answers an empty append too. */
  private flushLoneAppend(pending: Pending<AppendRequest, MultiStreamAppendResult>): Promise<void> {
    const [only] = pending.item.appends as [StreamAppend];
    return this.appendAlone(only.streamId, only.events, only.expectedRevision).then(
      (result) =>
        pending.resolve({
          streams: [{ streamId: only.streamId, nextExpectedRevision: result.nextExpectedRevision }],
          position: result.position,
        }),
      pending.reject,
    );
  }

  /** One call of the group-commit function over the requests' streams, in order. */
  private async callBatchFunction(requests: readonly AppendRequest[]): Promise<BatchRow[]> {
    const parameters = batchParameters(requests, this.channel);
    const client = await this.db.connect();
    let broken: Error | undefined;
    try {
      const result = await client.query<BatchRow>(
        `SELECT out_item, out_status, out_current::text, out_position::text, out_revision::text
           FROM ${this.table.appendBatchFunctionSql}(
                  $1::text[], $2::text[], $3::bigint[], $4::int[], $5::int[],
                  $6::uuid[], $7::text[], $8::jsonb[], $9::jsonb[], $10, $11::text[], $12::text[])`,
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
    if (request.outcome && pgConstraint(error) === this.names.outcome)
      return new OutcomeRecordedError(request.outcome.commandId);
    return this.mapAppendError(
      error,
      head.streamId,
      request.appends.flatMap((a) => a.events),
      head.expectedRevision,
    );
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
}

/** The group-commit function's arguments: one array entry per stream, and one per event. */
function batchParameters(requests: readonly AppendRequest[], channel: string): unknown[] {
  // A group's outcome goes with its first item.
  const items = requests.flatMap((request, group) =>
    request.appends.map((append, index) => ({
      ...append,
      group,
      outcome: index === 0 ? request.outcome : undefined,
    })),
  );
  const events = items.flatMap((item) => item.events);
  return [
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
    channel,
    items.map((i) => i.outcome?.commandId ?? null),
    items.map((i) => i.outcome?.requestHash ?? null),
  ];
}

/** Hands each request of a batch its own rows, in the order the requests came. */
function settleBatch(
  batch: ReadonlyArray<Pending<AppendRequest, MultiStreamAppendResult>>,
  rows: readonly BatchRow[],
): void {
  let next = 0;
  for (const pending of batch) {
    const own = rows.slice(next, next + pending.item.appends.length);
    next += pending.item.appends.length;
    settle(pending, own);
  }
}

/**
 * Answers one request from its rows (one per stream, in order): the first stream whose revision
 * did not hold, else the first whose event ids exist already, else its command's outcome recorded
 * before, else the positions.
 */
function settle(
  pending: Pending<AppendRequest, MultiStreamAppendResult>,
  rows: readonly BatchRow[],
): void {
  const { appends, outcome } = pending.item;
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
  if (outcome && rows.some((row) => row.out_status === 'recorded')) {
    pending.reject(new OutcomeRecordedError(outcome.commandId));
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
