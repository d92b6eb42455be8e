import type { Knex } from 'knex';
import type pg from 'pg';
import { foldEvents, type ViewChanges } from './fold.js';
import { lockAndLoad } from './load.js';
import type { ProjectionEvent } from './projection-event.js';
import { renderStatements, runStatements, type SqlStatement } from './sql-json.js';
import { viewChangeStatements } from './write.js';

export interface ApplyResult {
  /** Events that changed the views. */
  readonly applied: number;
  /** Redeliveries: already in the views, ignored. */
  readonly skipped: number;
  /** occurredAt of the last applied event. */
  readonly lastOccurredAt: string | undefined;
}

/**
 * Applies a batch of events to the read models inside the caller's transaction: locks the
 * batch's streams, loads the rows the events touch, folds in memory, writes the changes with one
 * statement per table. The views and their idempotency records change together or not at all.
 *
 * Throws StreamGapError (an earlier event of a stream is missing), ProjectionInvariantError (the
 * events contradict the views) or a database error; the transaction is then unusable.
 *
 * Table names are unqualified: the connection's search_path picks the schema, so the same code
 * can build shadow tables for a rebuild.
 */
export async function applyEvents(
  trx: Knex.Transaction,
  events: readonly ProjectionEvent[],
): Promise<ApplyResult> {
  if (events.length === 0) return resultOf(undefined);
  const state = lockAndLoad.parse(await runStatements(trx, lockAndLoad.statements(events)));
  const changes = foldEvents(state, events);
  await runStatements(trx, viewChangeStatements(changes));
  return resultOf(changes);
}

/**
 * applyEvents and the caller's own statements (checkpoints, dead letters, NOTIFY: `commit`, given
 * the result) in ONE transaction of TWO round trips, whatever the batch holds: `BEGIN`, the lock
 * and the loads in one query; the fold in memory; the writes, the caller's statements and
 * `COMMIT` in the second. The statements go as one simple-protocol query each (values inlined as
 * literals), on a connection of knex's pool, so the connection's search_path still applies.
 *
 * Throws as applyEvents; the transaction is then rolled back (one more round trip).
 */
export async function applyEventsAndCommit(
  knex: Knex,
  events: readonly ProjectionEvent[],
  commit: (result: ApplyResult) => readonly SqlStatement[],
): Promise<ApplyResult> {
  const pool = knex.client as ConnectionPool;
  const client = await pool.acquireConnection();
  try {
    let changes: ViewChanges | undefined;
    if (events.length > 0) {
      const results = await query(client, [BEGIN, ...lockAndLoad.statements(events)]);
      changes = foldEvents(lockAndLoad.parse(results.slice(1)), events);
    }
    const result = resultOf(changes);
    const writes = [...(changes ? viewChangeStatements(changes) : []), ...commit(result), COMMIT];
    await query(client, changes ? writes : [BEGIN, ...writes]);
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await pool.releaseConnection(client);
  }
}

/** The part of knex's client that lends out a connection of its pool (a pg client for 'pg'). */
interface ConnectionPool {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(client: pg.Client): Promise<void>;
}

const BEGIN: SqlStatement = { sql: 'BEGIN', bindings: [] };
const COMMIT: SqlStatement = { sql: 'COMMIT', bindings: [] };

/** Statements in one round trip, and their results in order. */
async function query(
  client: pg.Client,
  statements: readonly SqlStatement[],
): Promise<pg.QueryResult[]> {
  const result = (await client.query(renderStatements(statements))) as
    pg.QueryResult | pg.QueryResult[];
  return Array.isArray(result) ? result : [result];
}

function resultOf(changes: ViewChanges | undefined): ApplyResult {
  return {
    applied: changes?.applied ?? 0,
    skipped: changes?.skipped ?? 0,
    lastOccurredAt: changes?.lastOccurredAt,
  };
}
