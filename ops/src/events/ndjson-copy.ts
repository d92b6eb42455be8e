import type { EventStore } from '@bank/event-store';
import type { LineWriter } from '../cli/stdout.js';
import {
  CopyLines,
  CopyReader,
  copyTextValue,
  RECORDED_AT_ISO,
  selectionSql,
} from './copy-events.js';
import { lastPositionUntil, positionBounds, type EventRange } from './event-range.js';

/** What an NDJSON line holds, in its order (toEventRecord's): see toLine. */
const LINE_COLUMNS = `e.position, e.stream_id, e.revision, e.event_id, e.type, ${RECORDED_AT_ISO},
  e.data, e.metadata`;

/**
 * The NDJSON line of one row of LINE_COLUMNS (as toEventRecord, JSON.stringify'd, gives it: the
 * same fields in the same order, int64 as strings). data and metadata are the stored jsonb as
 * PostgreSQL prints it, put in as they are: never parsed and printed again.
 */
export function toLine(row: string): string {
  const f = row.split('\t');
  if (f.length !== 8) throw new Error(`unexpected COPY row: ${row.slice(0, 200)}`);
  const [position, streamId, revision, eventId, type, recordedAt, data, metadata] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return (
    `{"position":"${position}","streamId":${JSON.stringify(copyTextValue(streamId))},` +
    `"revision":"${revision}","eventId":"${eventId}","type":${JSON.stringify(copyTextValue(type))},` +
    `"recordedAt":"${recordedAt}","data":${copyTextValue(data)},"metadata":${copyTextValue(metadata)}}\n`
  );
}

/**
 * `bank replay --to stdout` from the PostgreSQL store: one COPY streams the range's rows, with
 * every bound and filter in its WHERE clause; each chunk of rows goes to stdout as its lines,
 * and the pipe's back-pressure pauses the COPY. Returns how many events were written (none
 * counted when the reader went away first, which the caller does not report).
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
      `SELECT ${LINE_COLUMNS} FROM ${table} e WHERE ${where} ORDER BY e.position`,
    );
    const lines = new CopyLines();
    const stopped = { events: 0, stoppedEarly: true };
    for await (const chunk of copy) {
      // Encoded at once: a string grown line by line left a long chain of pieces to collect.
      const text = Buffer.from(lines.push(chunk).map(toLine).join(''));
      if (!(await out.write(text))) return stopped;
    }
    let rest = '';
    for (const row of lines.end()) rest += toLine(row);
    if (rest.length > 0 && !(await out.write(rest))) return stopped;
    return { events: copy.rowCount, stoppedEarly: false };
  } finally {
    await reader.close();
  }
}
