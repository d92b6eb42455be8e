import { toBigInt } from '@bank/platform/core';
import type { Knex } from 'knex';
import { runStatements, type SqlStatement } from './sql-json.js';

/** NOTIFY channel raised when the views advanced; the payload is JSON {name, position}. */
export const PROJECTION_ADVANCED_CHANNEL = 'bank_projection_advanced';

/** Checkpoint and watermark names in `projection_checkpoints`. */
export const CHECKPOINTS = {
  relay: 'relay',
  embedded: 'embedded',
  embeddedWatermark: 'watermark:embedded',
  partitionWatermark: (partition: number): string => `watermark:${partition}`,
} as const;

const WATERMARK_PREFIX = 'watermark:';

export async function readCheckpoint(
  db: Knex | Knex.Transaction,
  name: string,
): Promise<bigint | undefined> {
  const row = await db('projection_checkpoints')
    .select(db.raw('position::text AS position'))
    .where({ name })
    .first<{ position: string } | undefined>();
  return row ? toBigInt(row.position) : undefined;
}

/**
 * Moves a checkpoint forward (never back: a redelivered watermark or a slower consumer of the
 * same partition during a rebalance must not undo progress). `lastEventAt` likewise only grows.
 */
export async function advanceCheckpoint(
  db: Knex | Knex.Transaction,
  name: string,
  position: bigint | undefined,
  lastEventAt?: string,
): Promise<void> {
  await runStatements(db, [advanceCheckpointStatement(name, position, lastEventAt)]);
}

/** advanceCheckpoint as a statement, for the caller to send with others. */
export function advanceCheckpointStatement(
  name: string,
  position: bigint | undefined,
  lastEventAt?: string,
): SqlStatement {
  return {
    sql: `INSERT INTO projection_checkpoints (name, position, last_event_at, updated_at)
     VALUES (?, coalesce(?::bigint, 0), ?::timestamptz, now())
     ON CONFLICT (name) DO UPDATE SET
       position = GREATEST(projection_checkpoints.position, EXCLUDED.position),
       last_event_at = GREATEST(projection_checkpoints.last_event_at, EXCLUDED.last_event_at),
       updated_at = now()`,
    bindings: [name, position?.toString() ?? null, lastEventAt ?? null],
  };
}

/**
 * Makes the watermark rows exactly `names` (missing ones start at position 0) and deletes every
 * other `watermark:*` row, e.g. the embedded mode's when Kafka takes over or partitions that no
 * longer exist: the consistent position is the minimum over these rows, so a stale one would
 * hold it back (or, left from a faster mode, push it ahead of what this mode has applied).
 */
export async function resetWatermarks(db: Knex, names: readonly string[]): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('projection_checkpoints')
      .where('name', 'like', `${WATERMARK_PREFIX}%`)
      .whereNotIn('name', [...names])
      .delete();
    if (names.length > 0) {
      await trx('projection_checkpoints')
        .insert(names.map((name) => ({ name, position: 0, updated_at: trx.fn.now() })))
        .onConflict('name')
        .ignore();
    }
  });
}

export interface ProjectionProgress {
  /** Every event at or below this position is in the views: min over the watermark rows. */
  readonly consistentPosition: bigint;
  /** occurredAt of the newest applied event, over all watermark rows. */
  readonly lastEventAt: Date | undefined;
}

export async function readProjectionProgress(
  db: Knex | Knex.Transaction,
): Promise<ProjectionProgress> {
  const row = await db('projection_checkpoints')
    .where('name', 'like', `${WATERMARK_PREFIX}%`)
    .select(
      db.raw('min(position)::text AS position'),
      db.raw('max(last_event_at) AS last_event_at'),
    )
    .first<{ position: string | null; last_event_at: Date | null } | undefined>();
  return {
    consistentPosition: row?.position ? toBigInt(row.position) : 0n,
    lastEventAt: row?.last_event_at ?? undefined,
  };
}

/** The part of an event store the lag needs (structurally the store's own port). */
export interface LagSource {
  headPosition(): Promise<bigint>;
  readAll(options: {
    after: bigint;
    maxCount: number;
  }): Promise<ReadonlyArray<{ readonly recordedAt: Date }>>;
}

/**
 * How far the views are behind the event store (docs/operations.md, "Lag"), the one definition
 * `bank status`, the projector's metrics and the dashboard share:
 * - `events`: head position − consistent position, the events the views do not hold yet;
 * - `seconds`: how long the oldest of those has waited (now − its recordedAt); 0 when none is
 *   behind, however long the system has been idle;
 * - `sinceLastAppliedSeconds`: now − occurredAt of the newest event in the views, which keeps
 *   growing while idle (undefined before any event was applied).
 */
export interface ProjectionLag {
  readonly head: bigint;
  readonly consistentPosition: bigint;
  readonly events: bigint;
  readonly seconds: number;
  readonly sinceLastAppliedSeconds: number | undefined;
}

export async function measureProjectionLag(
  store: LagSource,
  progress: ProjectionProgress,
  nowMs: number = Date.now(),
): Promise<ProjectionLag> {
  const head = await store.headPosition();
  const consistentPosition = progress.consistentPosition;
  const events = head > consistentPosition ? head - consistentPosition : 0n;
  let seconds = 0;
  if (events > 0n) {
    const [oldest] = await store.readAll({ after: consistentPosition, maxCount: 1 });
    if (oldest) seconds = Math.max(0, (nowMs - oldest.recordedAt.getTime()) / 1000);
  }
  const sinceLastAppliedSeconds = progress.lastEventAt
    ? Math.max(0, (nowMs - progress.lastEventAt.getTime()) / 1000)
    : undefined;
  return { head, consistentPosition, events, seconds, sinceLastAppliedSeconds };
}

/** Raises the NOTIFY inside the caller's transaction: PostgreSQL delivers it only on commit. */
export async function notifyProjectionAdvanced(
  trx: Knex.Transaction,
  name: string,
  position: bigint | undefined,
): Promise<void> {
  await runStatements(trx, [notifyStatement(name, position)]);
}

/**
 * The `bank_projection_advanced` NOTIFY as a statement: a batch's transaction raises it once,
 * after its checkpoints (PostgreSQL delivers it at commit, or not at all).
 */
export function notifyStatement(name: string, position: bigint | undefined): SqlStatement {
  return {
    sql: 'SELECT pg_notify(?, ?)',
    bindings: [
      PROJECTION_ADVANCED_CHANNEL,
      JSON.stringify({ name, position: position?.toString() ?? null }),
    ],
  };
}
