import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { VIEW_TABLES } from '@bank/read-models';

/** Every column of an event the rebuild and the replay read, in the global order. */
const EVENTS_COPY = `COPY (SELECT position, stream_id, revision, event_id, type, data, metadata, recorded_at
  FROM events ORDER BY position) TO STDOUT`;

export interface CopyCeiling {
  /** The events read with `COPY ... TO STDOUT` into a sink that only counts. */
  readonly readSeconds: number;
  readonly readBytes: number;
  /** The view rows written with `COPY ... FROM STDIN` into empty tables of the same columns. */
  readonly writeSeconds: number;
  readonly rows: number;
  readonly writeBytes: number;
}

/**
 * The physical floor of a rebuild on this PostgreSQL, with no logic between: the events read
 * with COPY TO (what a rebuild or a replay cannot read faster) and the view rows a rebuild
 * produced written with COPY FROM (what it cannot write faster). The view rows are those of the
 * live tables after `bank rebuild all`, copied out to files first (not timed) and written back
 * into fresh tables without indexes (the floor; the rebuild also builds its indexes).
 */
export async function measureCopyCeiling(databaseUrl: string): Promise<CopyCeiling> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const folder = mkdtempSync(join(tmpdir(), 'bank-copy-ceiling-'));
  try {
    let readBytes = 0;
    const readStarted = performance.now();
    await pipeline(
      client.query(copyTo(EVENTS_COPY)),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          readBytes += chunk.length;
          done();
        },
      }),
    );
    const readSeconds = (performance.now() - readStarted) / 1000;

    for (const table of VIEW_TABLES) {
      await pipeline(
        client.query(copyTo(`COPY ${table} TO STDOUT`)),
        createWriteStream(join(folder, table)),
      );
      await client.query(`DROP TABLE IF EXISTS ceiling_${table}`);
      await client.query(`CREATE TABLE ceiling_${table} (LIKE ${table} INCLUDING DEFAULTS)`);
    }
    let rows = 0;
    let writeBytes = 0;
    const writeStarted = performance.now();
    await client.query('BEGIN');
    for (const table of VIEW_TABLES) {
      const file = join(folder, table);
      const stream = client.query(copyFrom(`COPY ceiling_${table} FROM STDIN`));
      await pipeline(createReadStream(file), stream);
      rows += Number(stream.rowCount);
      writeBytes += statSync(file).size;
    }
    await client.query('COMMIT');
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    for (const table of VIEW_TABLES) await client.query(`DROP TABLE ceiling_${table}`);
    return { readSeconds, readBytes, writeSeconds, rows, writeBytes };
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await client.end();
  }
}
