import type { EventFilter, EventStore, RecordedEvent } from '@bank/event-store';
import { SWAP_LOCK_TABLE } from '@bank/read-models';
import type { Knex } from 'knex';
import { applyToShadow } from './apply-to-shadow.js';
import { ident, type ProjectionSpec } from './projections.js';
import type { ShadowSchema } from './shadow-schema.js';

export interface SwapResult {
  /** The event store head the swapped-in views are complete up to. */
  readonly position: bigint;
  /** Events applied inside the swap transaction (the last ones, under the lock). */
  readonly applied: number;
  /** Events read inside the swap transaction (applied or not). */
  readonly read: number;
}

/**
 * The swap, in one transaction, so that a reader sees the old views or the new ones and never
 * anything in between:
 *
 * 1. Lock the live tables ACCESS EXCLUSIVE, `stream_checkpoints` (SWAP_LOCK_TABLE) first: the
 *    projector's transactions take that table first too, so the two queue instead of
 *    deadlocking. An in-flight projector batch commits before the lock is granted; the next one
 *    waits for the swap. Readers take that table first too, before their snapshot: they queue
 *    behind the lock (they wait, they do not fail) for its short duration, and then read the
 *    new tables with a snapshot that includes everything the swap wrote.
 * 2. Read the event store head and apply the last events to the shadow tables. Nothing new can
 *    reach the live views now, and positions become visible in order, so the shadow is complete
 *    up to the head: a superset of what the live views hold.
 * 3. Move the live tables to a scratch schema and the shadow tables into the live schema (indexes
 *    and constraints travel with their tables), carry over the projection's stream_checkpoints
 *    rows when only one projection is rebuilt, record the rebuild in projection_checkpoints,
 *    and drop the scratch and shadow schemas.
 *
 * Readers that queued on an old table re-resolve its name once they get the lock (PostgreSQL
 * retries a name lookup whose table changed while it waited), so they read the new table. A
 * reader that queued inside a query instead (without SWAP_LOCK_TABLE first) would read it with
 * a snapshot from before the swap's commit: the new tables without the events applied in step 2.
 */
export async function swapIntoPlace(
  db: Knex,
  store: EventStore,
  schema: ShadowSchema,
  spec: ProjectionSpec,
  after: bigint,
  batchSize: number,
  lockTimeoutMs: number,
  onRead: (events: readonly RecordedEvent[]) => void,
): Promise<SwapResult> {
  const live = ident(schema.live);
  const shadow = ident(schema.shadow);
  const old = ident(`${schema.live}_old`);
  const lockOrder = [SWAP_LOCK_TABLE, ...spec.tables.filter((t) => t !== SWAP_LOCK_TABLE)];
  const filter: EventFilter | undefined = spec.streamPrefixes
    ? { streamPrefixes: spec.streamPrefixes }
    : undefined;

  return db.transaction(async (trx) => {
    await trx.raw(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    await trx.raw(
      `LOCK TABLE ${lockOrder.map((t) => `${live}.${ident(t)}`).join(', ')} IN ACCESS EXCLUSIVE MODE`,
    );

    const head = await store.headPosition();
    let cursor = after;
    let applied = 0;
    let read = 0;
    while (cursor < head) {
      const page = await store.readAll({ after: cursor, upTo: head, maxCount: batchSize, filter });
      onRead(page);
      read += page.length;
      const last = page.at(-1)?.position;
      const scanned = page.length < batchSize || last === undefined ? head : last;
      applied += await applyToShadow(trx, schema, page, scanned);
      cursor = scanned;
    }

    await trx.raw(`DROP SCHEMA IF EXISTS ${old} CASCADE`);
    await trx.raw(`CREATE SCHEMA ${old}`);
    for (const table of spec.tables) {
      await trx.raw(`ALTER TABLE IF EXISTS ${live}.${ident(table)} SET SCHEMA ${old}`);
      await trx.raw(`ALTER TABLE ${shadow}.${ident(table)} SET SCHEMA ${live}`);
    }
    if (!spec.swapsStreamCheckpointsTable) {
      const likes = (spec.streamPrefixes ?? []).map(
        (p) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      );
      await trx.raw(`DELETE FROM ${live}.stream_checkpoints WHERE stream_id LIKE ANY(?::text[])`, [
        likes,
      ]);
      await trx.raw(
        `INSERT INTO ${live}.stream_checkpoints (stream_id, revision)
         SELECT stream_id, revision FROM ${shadow}.stream_checkpoints WHERE stream_id LIKE ANY(?::text[])`,
        [likes],
      );
    }
    await trx.raw(
      `INSERT INTO ${live}.projection_checkpoints (name, position, last_event_at, updated_at)
       SELECT name, ?::bigint, last_event_at, now() FROM ${shadow}.projection_checkpoints WHERE name = ?
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, last_event_at = EXCLUDED.last_event_at,
         updated_at = now()`,
      [head.toString(), schema.checkpointName],
    );
    await trx.raw(`DROP SCHEMA ${old} CASCADE`);
    await trx.raw(`DROP SCHEMA ${shadow} CASCADE`);
    return { position: head, applied, read };
  });
}
