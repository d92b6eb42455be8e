import type { EventStore } from '@bank/event-store';
import type { LineWriter } from '../cli/stdout.js';
import { CopyReader, RECORDED_AT_ISO, selectionSql } from './copy-events.js';
import { lastPositionUntil, positionBounds, type EventRange } from './event-range.js';

/**
 * The NDJSON line of an event (as toEventRecord, JSON.stringify'd, gives it: the same fields in
 * the same order, int64 as strings), built by PostgreSQL. data and metadata are the stored jsonb
 * printed once, never parsed and printed again.
 */
const NDJSON_LINE = `'{"position":"' || e.position || '","streamId":' || to_json(e.stream_id)::text
  || ',"revision":"' || e.revision || '","eventId":"' || e.event_id || '","type":' || to_json(e.type)::text
  || ',"recordedAt":"' || ${RECORDED_AT_ISO} || '","data":' || e.data::text
  || ',"metadata":' || e.metadata::text || '}'`;

/**
 * CSV with a quote and a delimiter that JSON text never holds (it escapes every control
 * character), and one column: COPY then writes each line exactly as built, escaping nothing.
 */
const VERBATIM = `WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;

/**
 * `bank replay --to stdout` from the PostgreSQL store: one COPY streams the range's lines, with
 * every filter in its WHERE clause, straight to stdout; the pipe's back-pressure pauses the COPY.
 * Returns how many events were written, and whether the reader went away first.
 */
export async function copyNdjson(
  store: EventStore,
  databaseUrl: string,
  table: string,
  range: EventRange,
  out: LineWriter,
): Promise<{ events: number; stoppedEarly: boolean }> {
  const bounds = await positionBounds(store, range);
  const after = bounds.after;
  const upTo = range.until ? await lastPositionUntil(store, range.until, bounds.upTo) : bounds.upTo;
  if (after >= upTo) return { events: 0, stoppedEarly: false };
  const where = selectionSql({ ...range, after, upTo });
  const reader = await CopyReader.open(databaseUrl);
  try {
    const copy = reader.copy(
      `SELECT ${NDJSON_LINE} FROM ${table} e WHERE ${where} ORDER BY e.position`,
      VERBATIM,
    );
    for await (const chunk of copy) {
      if (!(await out.write(chunk))) return { events: 0, stoppedEarly: true };
    }
    return { events: copy.rowCount, stoppedEarly: false };
  } finally {
    await reader.close();
  }
}
