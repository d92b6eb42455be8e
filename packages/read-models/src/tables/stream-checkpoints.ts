import { toBigInt } from '@bank/platform/core';
import { toJsonParam, type SqlStatement } from '../projection/sql-json.js';

/** `stream_checkpoints`: the last revision of each stream applied to the views (-1: none). */
export const STREAM_CHECKPOINTS = {
  name: 'stream_checkpoints',
  columns: { stream_id: 'text', revision: 'bigint' },
} as const;

/**
 * Creates the missing rows of the streams (revision -1), then locks them in sorted order and
 * reads their revisions (see lockStreams). Rows are found by probes of the key (see ACCOUNTS_SQL).
 */
export function lockStatements(streamIds: readonly string[]): SqlStatement[] {
  const param = toJsonParam([...new Set(streamIds)].sort());
  return [
    {
      sql: `INSERT INTO stream_checkpoints (stream_id, revision)
     SELECT s, -1 FROM jsonb_array_elements_text(?::jsonb) AS s ORDER BY s
     ON CONFLICT (stream_id) DO NOTHING`,
      bindings: [param],
    },
    {
      sql: `SELECT stream_id, revision::text AS revision FROM stream_checkpoints
      WHERE stream_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))
      ORDER BY stream_id FOR UPDATE`,
      bindings: [param],
    },
  ];
}

/** The rows of the second lockStatements statement, by stream. */
export function lockedRevisions(rows: Record<string, unknown>[]): Map<string, bigint> {
  return new Map(rows.map((row) => [String(row['stream_id']), toBigInt(row['revision'])]));
}

/** Moves the streams' checkpoints to their new revisions. */
export function advanceStreamsStatement(streams: ReadonlyMap<string, bigint>): SqlStatement {
  return {
    sql: `UPDATE stream_checkpoints s SET revision = r.revision
       FROM jsonb_to_recordset(?::jsonb) AS r(stream_id text, revision bigint)
      WHERE s.stream_id = r.stream_id`,
    bindings: [toJsonParam([...streams].map(([stream_id, revision]) => ({ stream_id, revision })))],
  };
}
