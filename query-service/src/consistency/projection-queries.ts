import type { Knex } from 'knex';
import type { Reader } from '../shared/read-snapshot.js';

/** The channel the projector NOTIFYs after each commit that moves a watermark. */
export const PROJECTION_ADVANCED_CHANNEL = 'bank_projection_advanced';

/** Watermark rows: one per Kafka partition, or `watermark:embedded`. Their minimum is what the views include. */
export const WATERMARK_PREFIX = 'watermark:';

/**
 * The consistent position of the views. No watermark row yet means nothing is applied: 0.
 * projection_checkpoints holds a handful of rows, so no index matters here.
 */
export function consistentPositionQuery(db: Reader): Knex.QueryBuilder {
  return db('projection_checkpoints')
    .select(db.raw('coalesce(min(position), 0)::text as position'))
    .where('name', 'like', `${WATERMARK_PREFIX}%`);
}

export interface CheckpointRow {
  readonly name: string;
  readonly position: string;
  readonly last_event_at: Date | null;
  readonly updated_at: Date;
}

export function checkpointsQuery(db: Reader): Knex.QueryBuilder {
  return db('projection_checkpoints')
    .select('name', 'position', 'last_event_at', 'updated_at')
    .orderBy('name');
}
