import type { EventFilter, EventStore } from '@bank/event-store';
import { migrateReadModels } from '@bank/read-models';
import type { Knex } from 'knex';
import type { Progress } from '../cli/progress.js';
import { copyableTable } from '../events/copy-events.js';
import { ShadowLoader, shadowIsEmpty, type LoadTally } from './bulk-load.js';
import { deferSecondaryIndexes, restoreDeferredIndexes } from './deferred-indexes.js';
import { PartWorkers, partResumePoints, type FoldParts } from './fold-parts.js';
import { APPEND_ONLY_TABLES, type ProjectionSpec } from './projections.js';
import { acquireRebuildLock, liveSchemaOf, prepareShadow, shadowKnex } from './shadow-schema.js';
import { openEventPages, type EventPages } from './read-events.js';
import type { ShadowSchema } from './shadow-schema.js';
import { swapIntoPlace } from './swap.js';
import { EventTally } from './tally.js';

export interface RebuildOptions {
  readonly databaseUrl: string;
  readonly batchSize: number;
  /** View rows per table kept in memory between pages. */
  readonly cacheRows: number;
  /** Drop an existing shadow and start over instead of resuming it. */
  readonly restart: boolean;
  readonly lockTimeoutMs: number;
  readonly lockAttempts: number;
  /** Parts the fold is split into, by stream (default DEFAULT_PARTS; PostgreSQL's store only). */
  readonly parts?: number;
}

export interface RebuildSummary {
  readonly projection: string;
  readonly liveSchema: string;
  /** The position an interrupted rebuild was resumed from (0 for a fresh one). */
  readonly resumedFrom: string;
  /** The views are complete up to here after the swap. */
  readonly position: string;
  /** The projection's events this run read and applied (what its progress bar counted). */
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/** Events the swap applies under its lock at most (in pages of this size). */
const SWAP_TAIL = 1000;

/** Parts of the fold: one per core of a small server. */
const DEFAULT_PARTS = 2;

/**
 * Events per page (one fold). A flush gathers several pages: see ShadowLoader.
 */
const READ_PAGE = 1000;

/**
 * Events per page of each part. The fold copies each row it changes once per page, and each
 * row's cache entry changes once per page: a page holding several events of each of its streams
 * pays those once for all of them. But a page's decoded events stay alive while it is folded, and
 * every young-generation scavenge in the part copies them: at 1,000,000 events, pages of 4,000
 * cost ~5.9-6.5 s of scavenges, pages of 2,000 ~4.7-5.6 s (PART_YOUNG_MB, fold-parts.ts).
 */
const PART_PAGE = 2000;

/** Builds the projection into shadow tables, catches up to the head and swaps it in. */
export async function runRebuild(
  db: Knex,
  store: EventStore,
  spec: ProjectionSpec,
  options: RebuildOptions,
  progress: Progress,
): Promise<RebuildSummary> {
  const started = Date.now();
  const table = copyableTable(store);
  // The parts' workers start first: they load and connect while the shadow is prepared.
  const workers =
    table === undefined
      ? undefined
      : PartWorkers.start(options.databaseUrl, Math.max(1, options.parts ?? DEFAULT_PARTS));
  try {
    return await rebuildWith(db, store, spec, options, progress, started, table, workers);
  } finally {
    // Closed with the bulk phase's loader already, unless the rebuild failed before that.
    await workers?.terminate();
  }
}

async function rebuildWith(
  db: Knex,
  store: EventStore,
  spec: ProjectionSpec,
  options: RebuildOptions,
  progress: Progress,
  started: number,
  table: string | undefined,
  workers: PartWorkers | undefined,
): Promise<RebuildSummary> {
  const liveSchema = await liveSchemaOf(db);
  const lock = await acquireRebuildLock(options.databaseUrl, liveSchema);
  try {
    // The live tables must exist to be swapped out; the services' own migrations, idempotent.
    await migrateReadModels(db);
    const { schema, resumeAfter } = await prepareShadow(
      db,
      options.databaseUrl,
      spec.name,
      options.restart,
    );
    const filter: EventFilter | undefined = spec.streamPrefixes
      ? { streamPrefixes: spec.streamPrefixes }
      : undefined;
    // The swap applies the last events under its lock, with the projection's own code: keep that
    // tail short whatever the page size.
    const tail = Math.min(options.batchSize, SWAP_TAIL);
    const shadowDb = shadowKnex(options.databaseUrl, schema.shadow);
    const bulk = await (async () => {
      try {
        const empty = await shadowIsEmpty(shadowDb);
        const resume =
          workers === undefined
            ? [resumeAfter]
            : await partResumePoints(shadowDb, schema.checkpointName, workers.count);
        const from = resume.reduce((a, b) => (b < a ? b : a), resume[0] ?? resumeAfter);
        if (from > 0n) progress.note(`resuming into ${schema.shadow} after position ${from}`);
        else progress.note(`building into ${schema.shadow}`);
        const countedUpTo = await store.headPosition();
        const total = await store.countEvents?.({ after: from, upTo: countedUpTo, filter });
        if (total !== undefined) progress.setTotal(total);
        const counted = total === undefined ? undefined : countedUpTo;
        const tally = new EventTally(progress, counted);
        if (empty) await deferSecondaryIndexes(db, schema.shadow, spec.tables, APPEND_ONLY_TABLES);
        const loader =
          table === undefined || workers === undefined
            ? await BulkInOneThread.open(options, schema, shadowDb, empty, store)
            : await BulkAcrossParts.open(
                workers,
                options,
                schema,
                db,
                empty,
                resume,
                table,
                store,
                counted,
              );
        return { from, tally, loader };
      } catch (error) {
        await shadowDb.destroy();
        throw error;
      }
    })();
    const { tally } = bulk;
    let after = bulk.from;
    try {
      // Bulk phase: pages of events, each flush and its checkpoint in one transaction, until the
      // remaining lag fits the tail; secondary indexes (and the keys of append-only tables) are
      // built once, after the bulk, beside the catch-up of what arrived during it.
      const catchUp = async (): Promise<void> => {
        after = await bulk.loader.catchUp(after, { stopAtLag: tail, filter }, tally);
      };
      await catchUp();
      // The events appended meanwhile are read and folded while the indexes build: each index
      // build is one transaction on one table, so a flush only waits for the build of a table
      // it writes, and the two never wait for each other in a cycle.
      const [built, tailed] = await Promise.allSettled([
        restoreDeferredIndexes(db, schema.shadow),
        catchUp(),
      ]);
      if (built.status === 'rejected') throw built.reason;
      if (tailed.status === 'rejected') throw tailed.reason;
      if (built.value > 0) {
        progress.note(`built ${built.value} indexes; catching up`);
        await catchUp();
      }
    } finally {
      await bulk.loader.close();
      await shadowDb.destroy();
    }

    progress.note('caught up; swapping the rebuilt tables in');
    // Only the attempt that takes the lock reads events (a lock timeout fails before any).
    const swap = await withLockRetries(options, progress, () =>
      swapIntoPlace(db, store, schema, spec, after, tail, options.lockTimeoutMs, (page) =>
        tally.read(page),
      ),
    );
    tally.written(swap.read);
    progress.finish();
    const events = tally.count;
    const seconds = (Date.now() - started) / 1000;
    return {
      projection: spec.name,
      liveSchema,
      resumedFrom: bulk.from.toString(),
      position: swap.position.toString(),
      events,
      seconds,
      eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : events,
    };
  } finally {
    await lock.release();
  }
}

/** Retries the swap when its lock times out (a long reader or projector batch held a table). */
async function withLockRetries<T>(
  options: RebuildOptions,
  progress: Progress,
  swap: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await swap();
    } catch (error) {
      const lockTimedOut = (error as { code?: unknown }).code === '55P03';
      if (!lockTimedOut || attempt >= options.lockAttempts) throw error;
      progress.note(
        `the live tables stayed busy for ${options.lockTimeoutMs} ms; retrying the swap (${attempt}/${options.lockAttempts})`,
      );
    }
  }
}

interface CatchUpOptions {
  /** Stop once the head is at most this many positions ahead. */
  readonly stopAtLag: number;
  readonly filter: EventFilter | undefined;
}

/** The bulk phase's loader: applies events after a position, up to a lag, all committed. */
interface BulkLoader {
  catchUp(after: bigint, options: CatchUpOptions, tally: LoadTally): Promise<bigint>;
  close(): Promise<void>;
}

/** One fold on this thread, reading pages of the store (a store without COPY). */
class BulkInOneThread implements BulkLoader {
  private constructor(
    private readonly loader: ShadowLoader,
    private readonly events: EventPages,
    private readonly batchSize: number,
  ) {}

  static async open(
    options: RebuildOptions,
    schema: ShadowSchema,
    shadowDb: Knex,
    empty: boolean,
    store: EventStore,
  ): Promise<BulkInOneThread> {
    const loader = await ShadowLoader.open(
      options.databaseUrl,
      schema,
      shadowDb,
      options.cacheRows,
      empty,
    );
    try {
      const events = await openEventPages(store, options.databaseUrl);
      return new BulkInOneThread(loader, events, options.batchSize);
    } catch (error) {
      await loader.close();
      throw error;
    }
  }

  async catchUp(after: bigint, options: CatchUpOptions, tally: LoadTally): Promise<bigint> {
    const pageSize = Math.min(this.batchSize, READ_PAGE);
    const pages = this.events.pages(after, pageSize, options);
    return (await this.loader.catchUp(pages, after, this.batchSize, tally)).after;
  }

  async close(): Promise<void> {
    await this.loader.close();
    await this.events.close();
  }
}

/** The fold split by stream across worker threads (FoldParts), reading with COPY. */
class BulkAcrossParts implements BulkLoader {
  private constructor(
    private readonly parts: FoldParts,
    private readonly db: Knex,
    private readonly schema: ShadowSchema,
    private readonly store: EventStore,
    private readonly countedUpTo: bigint | undefined,
  ) {}

  static async open(
    workers: PartWorkers,
    options: RebuildOptions,
    schema: ShadowSchema,
    db: Knex,
    empty: boolean,
    resume: readonly bigint[],
    table: string,
    store: EventStore,
    countedUpTo: bigint | undefined,
  ): Promise<BulkAcrossParts> {
    const parts = await workers.open(
      {
        schema,
        // The parts share the streams, so each needs a share of the rows in memory.
        cacheRows: Math.max(1, Math.ceil(options.cacheRows / resume.length)),
        // But each part's transaction holds --batch-size events of its own: every flush rewrites
        // each row its events changed (through the staging UPDATEs), so the fewer flushes the
        // less is rewritten. At 1,000,000 events, a share (5,000) spent ~6.1 s of PostgreSQL time
        // in the staging COPYs and UPDATEs, the whole batch ~3.3 s, at the same peak RSS.
        batchSize: options.batchSize,
        empty,
      },
      resume,
      table,
      Math.min(options.batchSize, PART_PAGE),
    );
    return new BulkAcrossParts(parts, db, schema, store, countedUpTo);
  }

  async catchUp(after: bigint, options: CatchUpOptions, tally: LoadTally): Promise<bigint> {
    const to = await this.parts.catchUp(this.store, after, options, tally, this.countedUpTo);
    await this.parts.settle(this.db, this.schema, to);
    return to;
  }

  async close(): Promise<void> {
    await this.parts.close();
  }
}
