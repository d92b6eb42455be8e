import { foldEvents } from '@bank/read-models';
import type { Knex } from 'knex';
import { ShadowWriter } from './copy-writer.js';
import type { EventPage } from './read-events.js';
import type { ShadowSchema } from './shadow-schema.js';
import { FlushRows, ShadowState } from './shadow-state.js';
import type { SqlThread } from './sql-thread.js';

/** What a loader reports as it goes: events read (for the total) and events committed. */
export interface LoadTally {
  read(events: ReadonlyArray<{ readonly position: bigint }>): void;
  written(count: number): void;
}

/** Whether the shadow tables are empty. Every applied event leaves its stream's row: no stream rows, no rows at all. */
export async function shadowIsEmpty(shadowDb: Knex): Promise<boolean> {
  const result = await shadowDb.raw<{ rows: Array<{ empty: boolean }> }>(
    'SELECT NOT EXISTS (SELECT 1 FROM stream_checkpoints) AS empty',
  );
  return result.rows[0]?.empty === true;
}

/**
 * The rebuild's bulk phase for one set of streams: folds pages of events in memory against the
 * rows it already wrote (ShadowState) and writes them with COPY (ShadowWriter), one transaction
 * per flush of `batchSize` events, with its checkpoint. Folding and writing overlap: while one
 * flush is written on the writer's connection, the next pages are folded. The fold and its rules
 * are the projection's own (`foldEvents`); only how rows are read and written differs from
 * `applyEvents`.
 *
 * A flush gathers several pages: the decoded events (the bulk of the memory) are let go page by
 * page, while the flush's rows are few per event, and each changed row is written once per flush
 * however many of its events the flush holds.
 */
export class ShadowLoader {
  private flushes = 0;

  private constructor(
    private readonly state: ShadowState,
    private readonly writer: ShadowWriter,
  ) {}

  /**
   * @param empty the shadow tables are empty (shadowIsEmpty)
   * @param checkpointName the checkpoint each flush advances (the rebuild's, or its part's)
   * @param started the writer's thread, if started already (ShadowWriter.open)
   */
  static async open(
    databaseUrl: string,
    schema: ShadowSchema,
    shadowDb: Knex,
    cacheRows: number,
    empty: boolean,
    checkpointName = schema.checkpointName,
    started?: Promise<SqlThread>,
  ): Promise<ShadowLoader> {
    const writer = await ShadowWriter.open(databaseUrl, schema, checkpointName, started);
    return new ShadowLoader(new ShadowState(shadowDb, cacheRows, empty), writer);
  }

  /** Applies `pages`, flushing every `batchSize` events and at their end; every write committed. */
  async catchUp(
    pages: AsyncIterable<EventPage>,
    after: bigint,
    batchSize: number,
    tally: LoadTally,
  ): Promise<{ after: bigint; applied: number }> {
    let cursor = after;
    let applied = 0;
    let flush: FlushRows | undefined;
    let flushEvents = 0;
    let writing: Promise<void> | undefined;
    const startWrite = async (): Promise<void> => {
      if (!flush) return;
      // Its rows as they are now, before the next page changes them.
      const [rows, seq] = [flush.seal(), flush.seq];
      const [events, to] = [flushEvents, cursor];
      flush = undefined;
      flushEvents = 0;
      // One write in flight, in order: the next pages fold while this one is written.
      if (writing) await writing;
      writing = this.writer.write(rows, to).then(() => {
        this.state.committed(seq);
        tally.written(events);
      });
      // Its failure surfaces where it is awaited; until then it must not count as unhandled.
      writing.catch(() => undefined);
    };
    try {
      for await (const page of pages) {
        tally.read(page.events);
        const events = page.events;
        const changes = foldEvents(await this.state.viewStateFor(events), events);
        flush ??= new FlushRows((this.flushes += 1));
        this.state.record(changes, flush);
        applied += changes.applied;
        flushEvents += page.read ?? events.length;
        cursor = page.scannedUpTo;
        if (flushEvents >= batchSize) await startWrite();
        this.state.evict();
      }
      await startWrite();
    } finally {
      if (writing) await writing;
    }
    return { after: cursor, applied };
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}
