import type { queryTypes } from '@bank/proto';
import { toBigInt, type UnaryHandler } from '@bank/platform';
import type { QueryDeps } from '../query-deps.js';
import { readSnapshot } from '../shared/read-snapshot.js';
import { isoTimestamp } from '../shared/time.js';
import { checkpointsQuery, WATERMARK_PREFIX, type CheckpointRow } from './projection-queries.js';

export function getProjectionStatus(
  deps: QueryDeps,
): UnaryHandler<queryTypes.GetProjectionStatusRequest__Output, queryTypes.ProjectionStatus> {
  return async (_request, context) => {
    const rows = await readSnapshot(
      deps.knex,
      context.deadline,
      async (db) => (await checkpointsQuery(db)) as CheckpointRow[],
    );
    return projectionStatusOf(rows, Date.now());
  };
}

/**
 * Consistent position and the age of the newest applied event both come from the watermark rows:
 * they say what the views hold.
 */
export function projectionStatusOf(
  rows: readonly CheckpointRow[],
  nowMs: number,
): queryTypes.ProjectionStatus {
  const watermarks = rows.filter((row) => row.name.startsWith(WATERMARK_PREFIX));
  let consistent: bigint | undefined;
  let newestEventMs: number | undefined;
  for (const row of watermarks) {
    const position = toBigInt(row.position);
    if (consistent === undefined || position < consistent) consistent = position;
    const eventMs = row.last_event_at?.getTime();
    if (eventMs !== undefined && (newestEventMs === undefined || eventMs > newestEventMs))
      newestEventMs = eventMs;
  }
  return {
    consistentPosition: (consistent ?? 0n).toString(),
    checkpoints: rows.map((row) => ({
      name: row.name,
      position: row.position,
      updatedAt: isoTimestamp(row.updated_at),
    })),
    secondsSinceLastApplied:
      newestEventMs === undefined ? 0 : Math.max(0, (nowMs - newestEventMs) / 1000),
  };
}
