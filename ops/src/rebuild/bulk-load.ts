import type { EventFilter, EventStore } from '@bank/event-store';
import { foldEvents } from '@bank/read-models';
import type { Knex } from 'knex';
import { ShadowWriter } from './copy-writer.js';
import { openEventPages, type EventPages } from './read-events.js';
import type { ShadowSchema } from './shadow-schema.js';
import { FlushRows, ShadowState } from './shadow-state.js';
import type { EventTally } from './tally.js';

export interface CatchUpOptions {
  /** Events per flush (one transaction). */
  readonly batchSize: number;
  /** Stop once the head is at most this many positions ahead. */
  readonly stopAtLag: number;
  readonly filter: EventFilter | undefined;
}

/**
 * Events per page (one fold). A flush gathers several pages: the decoded events (the bulk of the
 * memory) are let go page by page, while the flush's rows are few per event, and each changed row is written
 * once per flush however many of its events the flush holds.
 */
const READ_PAGE = 1000;

/**
 * The rebuild's bulk phase: folds pages of events in memory against the rows it already wrote
 * (ShadowState) and writes them with COPY (ShadowWriter), one transaction per flush of
 * `batchSize` events, with the checkpoint. Reading, folding and writing overlap: while one flush
 * is written on the writer's connection, the next pages are read (one ahead) and folded. The
 * fold and its rules are the projection's own (`foldEvents`); only how rows are read and written
 * differs from `applyEvents`.
 */
export class ShadowLoader {
  private flushes = 0;

  private constructor(
    private readonly state: ShadowState,
    private readonly writer: ShadowWriter,
    private readonly events: EventPages,
    /** The shadow tables were empty when the loader opened. */
    readonly startedEmpty: boolean,
  ) {}

  static async open(
    databaseUrl: string,
    schema: ShadowSchema,
    shadowDb: Knex,
    cacheRows: number,
    store: EventStore,
  ): Promise<ShadowLoader> {
    // Every applied event leaves its stream's row: no stream rows, no rows at all.
    const result = await shadowDb.raw<{ rows: Array<{ empty: boolean }> }>(
      'SELECT NOT EXISTS (SELECT 1 FROM stream_checkpoints) AS empty',
    );
    const empty = result.rows[0]?.empty === true;
    const writer = await ShadowWriter.open(databaseUrl, schema);
    try {
      const events = await openEventPages(store, databaseUrl);
      return new ShadowLoader(new ShadowState(shadowDb, cacheRows, empty), writer, events, empty);
    } catch (error) {
      await writer.close();
      throw error;
    }
  }

  /** Applies pages after `after` until the lag is within `stopAtLag`; every write committed. */
  async catchUp(
    after: bigint,
    options: CatchUpOptions,
    tally: EventTally,
  ): Promise<{ after: bigint; applied: number }> {
    let cursor = after;
    let applied = 0;
    let flush: FlushRows | undefined;
    let flushEvents = 0;
    let writing: Promise<void> | undefined;
    const startWrite = async (): Promise<void> => {
      if (!flush) return;
      // One write in flight, in order: the next pages fold while this one is written.
      if (writing) await writing;
      const rows = flush;
      const [events, to] = [flushEvents, cursor];
      writing = this.writer.write(rows, to).then(() => {
        this.state.committed(rows.seq);
        tally.written(events);
      });
      // Its failure surfaces where it is awaited; until then it must not count as unhandled.
      writing.catch(() => undefined);
      flush = undefined;
      flushEvents = 0;
    };
    try {
      const pageSize = Math.min(options.batchSize, READ_PAGE);
      for await (const page of this.events.pages(after, pageSize, options)) {
        tally.read(page.events);
        const events = page.events;
        const changes = foldEvents(await this.state.viewStateFor(events), events);
        flush ??= new FlushRows((this.flushes += 1));
        this.state.record(changes, flush);
        applied += changes.applied;
        flushEvents += page.events.length;
        cursor = page.scannedUpTo;
        if (flushEvents >= options.batchSize) await startWrite();
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
    await this.events.close();
  }
}
