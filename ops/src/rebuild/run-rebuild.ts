import type { EventFilter, EventStore } from '@bank/event-store';
import { migrateReadModels } from '@bank/read-models';
import type { Knex } from 'knex';
import type { Progress } from '../cli/progress.js';
import { ShadowLoader } from './bulk-load.js';
import { deferSecondaryIndexes, restoreDeferredIndexes } from './deferred-indexes.js';
import { APPEND_ONLY_TABLES, type ProjectionSpec } from './projections.js';
import { acquireRebuildLock, liveSchemaOf, prepareShadow, shadowKnex } from './shadow-schema.js';
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

/** Builds the projection into shadow tables, catches up to the head and swaps it in. */
export async function runRebuild(
  db: Knex,
  store: EventStore,
  spec: ProjectionSpec,
  options: RebuildOptions,
  progress: Progress,
): Promise<RebuildSummary> {
  const started = Date.now();
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
    if (resumeAfter > 0n)
      progress.note(`resuming into ${schema.shadow} after position ${resumeAfter}`);
    else progress.note(`building into ${schema.shadow}`);

    const filter: EventFilter | undefined = spec.streamPrefixes
      ? { streamPrefixes: spec.streamPrefixes }
      : undefined;
    // The swap applies the last events under its lock, with the projection's own code: keep that
    // tail short whatever the page size.
    const tail = Math.min(options.batchSize, SWAP_TAIL);
    let after = resumeAfter;
    const countedUpTo = await store.headPosition();
    const total = await store.countEvents?.({ after: resumeAfter, upTo: countedUpTo, filter });
    if (total !== undefined) progress.setTotal(total);
    const tally = new EventTally(progress, total === undefined ? undefined : countedUpTo);
    const shadowDb = shadowKnex(options.databaseUrl, schema.shadow);
    try {
      const loader = await ShadowLoader.open(
        options.databaseUrl,
        schema,
        shadowDb,
        options.cacheRows,
        store,
      );
      try {
        // Bulk phase: pages of events, each page and the rebuild checkpoint in one transaction,
        // until the remaining lag fits the tail; secondary indexes (and the keys of append-only
        // tables) are built once, after the bulk.
        if (loader.startedEmpty)
          await deferSecondaryIndexes(db, schema.shadow, spec.tables, APPEND_ONLY_TABLES);
        const catchUp = async (): Promise<void> => {
          const done = await loader.catchUp(
            after,
            { batchSize: options.batchSize, stopAtLag: tail, filter },
            tally,
          );
          after = done.after;
        };
        await catchUp();
        const restored = await restoreDeferredIndexes(db, schema.shadow);
        if (restored > 0) {
          progress.note(`built ${restored} indexes; catching up`);
          await catchUp();
        }
      } finally {
        await loader.close();
      }
    } finally {
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
      resumedFrom: resumeAfter.toString(),
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
