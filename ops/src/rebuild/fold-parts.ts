import { Worker } from 'node:worker_threads';
import type { EventStore } from '@bank/event-store';
import type { Knex } from 'knex';
import { CommandFailedError } from '../cli/exit-codes.js';
import { CopyReader } from '../events/copy-events.js';
import type { LoadTally } from './bulk-load.js';
import { ident } from './projections.js';
import { nextSpan, type ReadOptions } from './read-events.js';
import type { ShadowSchema } from './shadow-schema.js';

/** What a part's worker is started with, before the shadow is ready (PartWorkers). */
export interface PartWorkerData {
  readonly databaseUrl: string;
}

/** A part's setup, its worker's first message once the shadow is ready. */
export interface PartSetup {
  readonly schema: ShadowSchema;
  readonly checkpointName: string;
  /** The part's events up to here are applied already (its checkpoint). */
  readonly resumeAfter: string;
  readonly cacheRows: number;
  readonly batchSize: number;
  readonly empty: boolean;
}

/** From the rebuild to a part: a round of pages (one catch-up), each page its COPY lines. */
export type ToPart =
  | { readonly type: 'setup'; readonly setup: PartSetup }
  | { readonly type: 'round'; readonly after: string }
  | {
      readonly type: 'page';
      /** COPY text lines, each ending in a newline. */
      readonly lines: Uint8Array;
      readonly scannedUpTo: string;
    }
  | { readonly type: 'end' }
  | { readonly type: 'close' };

/** From a part to the rebuild. */
export type FromPart =
  | { readonly type: 'ready' }
  /** The page is folded; its buffer comes back, to be filled again. */
  | { readonly type: 'folded'; readonly buffer: ArrayBuffer }
  | { readonly type: 'written'; readonly events: number }
  | { readonly type: 'done'; readonly after: string; readonly applied: number }
  | {
      readonly type: 'failed';
      readonly name: string;
      readonly message: string;
      readonly code: string | undefined;
    };

/** Pages a part may have been sent and not yet folded: the rebuild reads no further ahead. */
const PAGES_AHEAD = 4;
/** A page's buffer to begin with: it grows to fit. */
const PAGE_BYTES = 1 << 20;
/**
 * Young generation of a part's heap. A fold's garbage is short-lived, but each scavenge copies
 * what a page still holds alive (its decoded events, the flush's rows), so the fewer scavenges the
 * better: per 1,000,000 events, at 16 MiB the parts scavenged ~800 times for 6.4-7.7 s of CPU, at
 * 32 MiB (with pages of 2,000 events, PART_PAGE) ~455 times for 4.7-5.6 s, for ~20 MiB more peak
 * RSS; 64 MiB saved ~1 s more for ~100 MiB more.
 */
const PART_YOUNG_MB = 32;
const NEWLINE = 0x0a;
const TAB = 0x09;

/**
 * The part of the fold a stream belongs to: a hash of its id (as COPY text), so a stream's
 * events all go to one part, in their order. Every row the fold writes belongs to one stream's
 * aggregate (an account's rows, holds, day rows and ledger entries to its account stream; a
 * transfer's row and history to its transfer stream; a transfer leg on an account stream names
 * the other account only as a value), so parts never share a row, and each part's rows are
 * exactly those a single fold of all the events makes for its streams.
 */
export function partOf(
  streamId: Uint8Array,
  parts: number,
  from = 0,
  to = streamId.length,
): number {
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i += 1) {
    hash ^= streamId[i] ?? 0;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % parts;
}

/** The checkpoint of part `index` of `parts` of the rebuild checkpointed as `checkpointName`. */
export function partCheckpointName(checkpointName: string, index: number, parts: number): string {
  return `${checkpointName}/part${index + 1}of${parts}`;
}

/**
 * Where each part resumes: its own checkpoint; a part without one (none yet, or one written for
 * another number of parts) from the earliest of all the rebuild's checkpoints, whose redelivered
 * events the fold skips by their stream revisions.
 */
export async function partResumePoints(
  shadowDb: Knex,
  checkpointName: string,
  parts: number,
): Promise<bigint[]> {
  const result = await shadowDb.raw<{ rows: Array<{ name: string; position: string }> }>(
    `SELECT name, position::text AS position FROM projection_checkpoints
      WHERE name = ? OR starts_with(name, ?)`,
    [checkpointName, `${checkpointName}/part`],
  );
  const positions = new Map(result.rows.map((row) => [row.name, BigInt(row.position)]));
  let earliest: bigint | undefined;
  for (const position of positions.values())
    if (earliest === undefined || position < earliest) earliest = position;
  return Array.from(
    { length: parts },
    (_, i) => positions.get(partCheckpointName(checkpointName, i, parts)) ?? earliest ?? 0n,
  );
}

/**
 * The parts' worker threads, started before the shadow is prepared: each loads its modules and
 * starts its writer's thread and connection while the rebuild migrates and inspects the shadow
 * (those are round trips on one connection, and leave the other core idle). `open` sets them up.
 */
export class PartWorkers {
  private constructor(
    private readonly databaseUrl: string,
    private readonly parts: Part[],
  ) {}

  static start(databaseUrl: string, count: number): PartWorkers {
    const parts = Array.from({ length: count }, () => new Part(databaseUrl));
    return new PartWorkers(databaseUrl, parts);
  }

  get count(): number {
    return this.parts.length;
  }

  /**
   * Sets each part up to resume after its point of `resume` (one per part), and opens the COPY
   * reader; the parts are the FoldParts' from then on.
   */
  async open(
    setup: Omit<PartSetup, 'checkpointName' | 'resumeAfter'>,
    resume: readonly bigint[],
    table: string,
    pageSize: number,
  ): Promise<FoldParts> {
    const parts = this.parts;
    if (resume.length !== parts.length)
      throw new Error(`${resume.length} resume points for ${parts.length} parts`);
    try {
      parts.forEach((part, i) =>
        part.setUp({
          ...setup,
          checkpointName: partCheckpointName(setup.schema.checkpointName, i, parts.length),
          resumeAfter: (resume[i] ?? 0n).toString(),
        }),
      );
      await Promise.all(parts.map((part) => part.ready));
      const reader = await CopyReader.open(this.databaseUrl);
      return new FoldParts(parts, reader, table, pageSize);
    } catch (error) {
      await this.terminate();
      throw error;
    }
  }

  /** Stops every part that has not ended (a no-op for parts closed by their FoldParts). */
  async terminate(): Promise<void> {
    await Promise.all(this.parts.map((part) => part.terminate()));
  }
}

/**
 * The rebuild's bulk phase across cores: the events are read here with COPY, cut into lines, and
 * each line's bytes go, undecoded, to the part of its stream (partOf); each part is a worker thread
 * that decodes, folds and writes its streams' rows (fold-part-worker.ts), with a checkpoint of
 * its own in each of its transactions, so a crash leaves every part at one of its flush
 * boundaries and the rerun resumes each from there. A catch-up ends with every part's
 * checkpoint at the same position, and `settle` replaces them with the rebuild's checkpoint.
 * Opened by PartWorkers.open.
 */
export class FoldParts {
  constructor(
    private readonly parts: Part[],
    private readonly reader: CopyReader,
    private readonly table: string,
    private readonly pageSize: number,
  ) {}

  /**
   * Sends the events after `after` to their parts until the lag fits `stopAtLag`; resolves once
   * every part has committed them, with the position they are complete up to.
   */
  async catchUp(
    store: EventStore,
    after: bigint,
    options: ReadOptions,
    tally: LoadTally,
    /** Events past this position were appended after the total was counted. */
    countedUpTo: bigint | undefined,
  ): Promise<bigint> {
    const parts = this.parts;
    for (const part of parts) part.startRound(after, tally);
    let cursor = after;
    try {
      for (;;) {
        const span = await nextSpan(store, this.table, cursor, options);
        if (!span) break;
        const { upTo } = span;
        const appended = countedUpTo !== undefined && upTo > countedUpTo;
        /** One line, `line[start, end)`, to its part: position, tab, stream id, tab, ... */
        const route = async (line: Buffer, start: number, end: number): Promise<void> => {
          const tab = line.indexOf(TAB, start);
          const index = partOf(line, parts.length, tab + 1, line.indexOf(TAB, tab + 1));
          const part = parts[index];
          if (!part) throw new Error(`no part ${index}`);
          if (appended) tally.read([{ position: BigInt(line.toString('latin1', start, tab)) }]);
          if (part.add(line, start, end) >= this.pageSize)
            await part.send(line.toString('latin1', start, tab));
        };
        let carry: Buffer | undefined;
        for await (const chunk of this.reader.copy(span.query)) {
          let start = 0;
          if (carry) {
            // Only the line cut by the chunk's start is pieced together; the rest is read in place.
            const end = chunk.indexOf(NEWLINE);
            if (end < 0) {
              carry = Buffer.concat([carry, chunk]);
              continue;
            }
            const line = Buffer.concat([carry, chunk.subarray(0, end)]);
            carry = undefined;
            await route(line, 0, line.length);
            start = end + 1;
          }
          for (
            let end = chunk.indexOf(NEWLINE, start);
            end >= 0;
            end = chunk.indexOf(NEWLINE, start)
          ) {
            await route(chunk, start, end);
            start = end + 1;
          }
          if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
        }
        if (carry && carry.length > 0) await route(carry, 0, carry.length);
        for (const part of parts) await part.send(upTo.toString());
        cursor = upTo;
      }
      const done = await Promise.all(parts.map((part) => part.endRound()));
      for (const position of done) {
        if (position !== cursor) throw new Error(`a part ended at ${position}, not ${cursor}`);
      }
      return cursor;
    } catch (error) {
      // A part that failed fails the rest: none may go on writing behind the failure.
      await Promise.all(parts.map((part) => part.terminate()));
      throw error;
    }
  }

  /**
   * After a catch-up up to `position`: the rebuild's checkpoint at `position` (its last event
   * time the latest of the parts'), and the parts' checkpoints gone, in one transaction.
   */
  async settle(db: Knex, schema: ShadowSchema, position: bigint): Promise<void> {
    const table = `${ident(schema.shadow)}.projection_checkpoints`;
    const prefix = `${schema.checkpointName}/part`;
    await db.transaction(async (trx) => {
      await trx.raw(
        `INSERT INTO ${table} (name, position, last_event_at, updated_at)
         SELECT ?, ?::bigint, max(last_event_at), now() FROM ${table}
          WHERE name = ? OR starts_with(name, ?)
         ON CONFLICT (name) DO UPDATE SET
           position = GREATEST(${table}.position, EXCLUDED.position),
           last_event_at = GREATEST(${table}.last_event_at, EXCLUDED.last_event_at),
           updated_at = now()`,
        [schema.checkpointName, position.toString(), schema.checkpointName, prefix],
      );
      await trx.raw(`DELETE FROM ${table} WHERE starts_with(name, ?)`, [prefix]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((part) => part.close()));
    await this.reader.close();
  }
}

/** One part's worker, seen from the rebuild. */
class Part {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private failure: Error | undefined;
  private inFlight = 0;
  private credit: (() => void) | undefined;
  private round: { resolve: (after: bigint) => void; reject: (error: Error) => void } | undefined;
  private roundDone: Promise<bigint> | undefined;
  private tally: LoadTally | undefined;
  private exited = false;
  private readonly exit: Promise<void>;
  /** The page being filled (lines, each with its newline) and how far; buffers back for reuse. */
  private page: Buffer<ArrayBuffer> = Buffer.from(new ArrayBuffer(PAGE_BYTES));
  private filled = 0;
  private lines = 0;
  private readonly free: ArrayBuffer[] = [];

  constructor(databaseUrl: string) {
    this.worker = new Worker(new URL('./fold-part-worker.js', import.meta.url), {
      workerData: { databaseUrl } satisfies PartWorkerData,
      resourceLimits: { maxYoungGenerationSizeMb: PART_YOUNG_MB },
    });
    let ready: { resolve: () => void; reject: (error: Error) => void } | undefined;
    this.ready = new Promise((resolve, reject) => (ready = { resolve, reject }));
    this.ready.catch(() => undefined);
    const fail = (error: Error): void => {
      this.failure ??= error;
      ready?.reject(this.failure);
      this.round?.reject(this.failure);
      this.round = undefined;
      this.credit?.();
    };
    this.worker.on('message', (message: FromPart) => {
      switch (message.type) {
        case 'ready':
          ready?.resolve();
          break;
        case 'folded':
          if (this.free.length < PAGES_AHEAD) this.free.push(message.buffer);
          this.inFlight -= 1;
          this.credit?.();
          break;
        case 'written':
          this.tally?.written(message.events);
          break;
        case 'done':
          this.round?.resolve(BigInt(message.after));
          this.round = undefined;
          break;
        case 'failed':
          fail(
            message.name === 'CommandFailedError'
              ? new CommandFailedError(message.message)
              : Object.assign(new Error(message.message), { code: message.code }),
          );
          break;
      }
    });
    this.worker.on('error', fail);
    this.exit = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.exited = true;
        fail(new Error(`a rebuild part exited (code ${code})`));
        resolve();
      }),
    );
  }

  /** Its setup, once: `ready` resolves when the part is set up. */
  setUp(setup: PartSetup): void {
    this.post({ type: 'setup', setup });
  }

  startRound(after: bigint, tally: LoadTally): void {
    this.tally = tally;
    this.roundDone = new Promise((resolve, reject) => (this.round = { resolve, reject }));
    this.roundDone.catch(() => undefined);
    this.post({ type: 'round', after: after.toString() });
  }

  /** Adds `line[start, end)` and a newline to the page; returns the page's lines. */
  add(line: Buffer, start: number, end: number): number {
    const length = end - start + 1;
    if (this.filled + length > this.page.length) {
      const grown = Buffer.from(
        new ArrayBuffer(Math.max(2 * this.page.length, this.filled + length)),
      );
      this.page.copy(grown, 0, 0, this.filled);
      this.page = grown;
    }
    line.copy(this.page, this.filled, start, end);
    this.page[this.filled + length - 1] = NEWLINE;
    this.filled += length;
    this.lines += 1;
    return this.lines;
  }

  /** Sends the page (possibly empty); waits while the part is PAGES_AHEAD pages behind. */
  async send(scannedUpTo: string): Promise<void> {
    while (this.inFlight >= PAGES_AHEAD && !this.failure) {
      await new Promise<void>((resolve) => (this.credit = resolve));
      this.credit = undefined;
    }
    if (this.failure) throw this.failure;
    const lines = new Uint8Array(this.page.buffer, 0, this.filled);
    this.inFlight += 1;
    this.worker.postMessage({ type: 'page', lines, scannedUpTo } satisfies ToPart, [
      this.page.buffer,
    ]);
    const reused = this.free.pop();
    this.page = Buffer.from(reused ?? new ArrayBuffer(PAGE_BYTES));
    this.filled = 0;
    this.lines = 0;
  }

  async endRound(): Promise<bigint> {
    this.post({ type: 'end' });
    if (!this.roundDone) throw new Error('no round started');
    return this.roundDone;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    // A part that failed may not get as far as reading 'close'.
    if (this.failure) return this.terminate();
    this.post({ type: 'close' });
    await this.exit;
  }

  async terminate(): Promise<void> {
    if (this.exited) return;
    await this.worker.terminate();
    await this.exit;
  }

  private post(message: ToPart): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(message);
  }
}
