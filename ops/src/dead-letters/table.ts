import type { EventStore } from '@bank/event-store';
import { applyEvents } from '@bank/read-models';
import type { Knex } from 'knex';
import { UsageError } from '../cli/exit-codes.js';
import { toProjectionBatch } from '../projection/decode.js';

/** One row of `projection_dead_letters`, as the CLI prints it. */
export interface DeadLetterRow {
  readonly id: string;
  readonly createdAt: string;
  readonly source: string;
  readonly reason: string;
  readonly error: string;
  readonly streamId: string | null;
  readonly revision: string | null;
  readonly position: string | null;
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly payload: string | null;
}

const COLUMNS = [
  'id::text AS "id"',
  'created_at AS "createdAt"',
  'source',
  'reason',
  'error',
  'stream_id AS "streamId"',
  'revision::text AS "revision"',
  'position::text AS "position"',
  'event_id AS "eventId"',
  'event_type AS "eventType"',
  'payload',
].join(', ');

async function requireTable(db: Knex): Promise<void> {
  const { rows } = await db.raw<{ rows: Array<{ found: boolean }> }>(
    `SELECT to_regclass('projection_dead_letters') IS NOT NULL AS found`,
  );
  if (!rows[0]?.found) {
    throw new UsageError(
      'this database has no projection_dead_letters table: the read models were never migrated here',
    );
  }
}

function toRow(raw: Omit<DeadLetterRow, 'createdAt'> & { createdAt: Date }): DeadLetterRow {
  return { ...raw, createdAt: raw.createdAt.toISOString() };
}

/** Every dead letter, oldest first. */
export async function listDeadLetters(db: Knex): Promise<DeadLetterRow[]> {
  await requireTable(db);
  const { rows } = await db.raw<{ rows: Array<Parameters<typeof toRow>[0]> }>(
    `SELECT ${COLUMNS} FROM projection_dead_letters ORDER BY id`,
  );
  return rows.map(toRow);
}

export async function readDeadLetter(db: Knex, id: string): Promise<DeadLetterRow | undefined> {
  await requireTable(db);
  const { rows } = await db.raw<{ rows: Array<Parameters<typeof toRow>[0]> }>(
    `SELECT ${COLUMNS} FROM projection_dead_letters WHERE id = ?`,
    [id],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

export type ReplayOutcome =
  | { readonly id: string; readonly outcome: 'applied' | 'already-applied' }
  | { readonly id: string; readonly outcome: 'failed' | 'no-event'; readonly error: string };

/**
 * Applies dead-lettered events to the views again (after the cause was fixed: a projection bug,
 * a gap since filled), in position order: each is read from the event store at its position and
 * applied with the live projection code (`applyEvents`), and its row is deleted in the same
 * transaction. One that fails again keeps its row; a letter without an event in the store (an
 * undecodable Kafka message) cannot be replayed from here.
 */
export async function replayDeadLetters(
  db: Knex,
  store: EventStore,
  ids: readonly string[],
): Promise<ReplayOutcome[]> {
  await requireTable(db);
  const selected = (await listDeadLetters(db))
    .filter((row) => ids.length === 0 || ids.includes(row.id))
    .sort((a, b) => comparePositions(a.position, b.position));
  const missing = ids.filter((id) => !selected.some((row) => row.id === id));
  if (missing.length > 0)
    throw new UsageError(`no dead letter with id ${missing.join(', ')} in projection_dead_letters`);
  const outcomes: ReplayOutcome[] = [];
  for (const row of selected) outcomes.push(await replayOne(db, store, row));
  return outcomes;
}

async function replayOne(db: Knex, store: EventStore, row: DeadLetterRow): Promise<ReplayOutcome> {
  const [event] =
    row.position === null
      ? []
      : await store.readAll({ after: BigInt(row.position) - 1n, maxCount: 1 });
  if (!event || event.position !== BigInt(row.position ?? -1) || event.eventId !== row.eventId) {
    return {
      id: row.id,
      outcome: 'no-event',
      error: `no event ${row.eventId ?? '(no event id)'} at position ${row.position ?? '(none)'} in the event store`,
    };
  }
  try {
    const result = await db.transaction(async (trx) => {
      const applied = await applyEvents(trx, toProjectionBatch([event]));
      await trx('projection_dead_letters').where({ id: row.id }).delete();
      return applied;
    });
    return { id: row.id, outcome: result.applied > 0 ? 'applied' : 'already-applied' };
  } catch (error) {
    return { id: row.id, outcome: 'failed', error: (error as Error).message };
  }
}

function comparePositions(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
