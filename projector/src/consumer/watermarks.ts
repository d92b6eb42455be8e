import { CHECKPOINTS, notifyStatement, type SqlStatement } from '@bank/read-models';

export interface WatermarkRow {
  readonly partition: number;
  /** Undefined: the partition applied events but saw no watermark (only last_event_at moves). */
  readonly position: bigint | undefined;
}

/**
 * The watermark rows a group of partition chunks moves: one per partition (its highest watermark),
 * for partitions that saw a watermark or, when `withEvents`, had events. Sorted by partition, so
 * two consumers briefly sharing a partition during a rebalance lock the rows in the same order.
 */
export function watermarkRows(
  chunks: ReadonlyArray<{
    readonly partition: number;
    readonly watermark: bigint | undefined;
    readonly items: readonly unknown[];
  }>,
  withEvents: boolean,
): WatermarkRow[] {
  const rows = new Map<number, bigint | undefined>();
  for (const { partition, watermark, items } of chunks) {
    if (watermark === undefined && !(withEvents && items.length > 0)) continue;
    const known = rows.get(partition);
    rows.set(partition, known === undefined || (watermark ?? -1n) > known ? watermark : known);
  }
  return [...rows]
    .sort(([a], [b]) => a - b)
    .map(([partition, position]) => ({ partition, position }));
}

/**
 * Moves the partitions' watermark rows forward (never back, as advanceCheckpoint) and raises the
 * `bank_projection_advanced` NOTIFY when `notify`, in ONE statement for the caller's transaction:
 * PostgreSQL delivers the NOTIFY at commit.
 */
export function watermarkStatements(
  rows: readonly WatermarkRow[],
  lastEventAt: string | undefined,
  notify: boolean,
): SqlStatement[] {
  const names = rows.map((row) => CHECKPOINTS.partitionWatermark(row.partition));
  const upsert = `INSERT INTO projection_checkpoints (name, position, last_event_at, updated_at)
     SELECT r.name, coalesce(r.position, 0), ?::timestamptz, now()
       FROM jsonb_to_recordset(?::jsonb) AS r(name text, position bigint)
     ON CONFLICT (name) DO UPDATE SET
       position = GREATEST(projection_checkpoints.position, EXCLUDED.position),
       last_event_at = GREATEST(projection_checkpoints.last_event_at, EXCLUDED.last_event_at),
       updated_at = now()`;
  const upsertParams = [
    lastEventAt ?? null,
    JSON.stringify(
      rows.map((row, i) => ({ name: names[i], position: row.position?.toString() ?? null })),
    ),
  ];
  const positions = rows.flatMap((row) => (row.position === undefined ? [] : [row.position]));
  const lowest = positions.reduce<bigint | undefined>(
    (min, p) => (min === undefined || p < min ? p : min),
    undefined,
  );
  const notification = notifyStatement(names.join(','), lowest);
  if (rows.length === 0) return notify ? [notification] : [];
  if (!notify) return [{ sql: upsert, bindings: upsertParams }];
  return [
    {
      sql: `WITH advanced AS (${upsert}) ${notification.sql}`,
      bindings: [...upsertParams, ...notification.bindings],
    },
  ];
}
