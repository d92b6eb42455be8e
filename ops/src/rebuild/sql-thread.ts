import { Worker } from 'node:worker_threads';

/**
 * One statement a SqlThread runs: a query, or a COPY ... FROM STDIN fed with chunks of its input:
 * text, or UTF-8 bytes (SqlThread.encode), whose memory moves to the thread and back.
 */
export type SqlStep =
  | { readonly query: string; readonly params?: readonly unknown[] }
  | { readonly copy: string; readonly chunks: ReadonlyArray<string | Uint8Array> };

export interface SqlRequest {
  readonly id: number;
  readonly steps: readonly SqlStep[];
  /** Run the steps in one transaction (BEGIN ... COMMIT, ROLLBACK on failure). */
  readonly transaction: boolean;
}

/** A reply; `spent` hands the memory of the request's byte chunks back, for reuse. */
export type SqlReply =
  | { readonly id: number; readonly rows: unknown[][]; readonly spent: ArrayBuffer[] }
  | { readonly id: number; readonly error: SqlThreadErrorFields; readonly spent: ArrayBuffer[] };

export interface SqlThreadErrorFields {
  readonly message: string;
  readonly code?: string | undefined;
  readonly detail?: string | undefined;
  readonly constraint?: string | undefined;
}

/** A failure in the thread, with PostgreSQL's error code and details when it was PostgreSQL's. */
export class SqlThreadError extends Error {
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly constraint: string | undefined;

  constructor(fields: SqlThreadErrorFields) {
    super(fields.message);
    this.name = 'SqlThreadError';
    this.code = fields.code;
    this.detail = fields.detail;
    this.constraint = fields.constraint;
  }
}

/**
 * A PostgreSQL connection in a worker thread of its own. A flush's transaction is a dozen round
 * trips; on the main thread each one waited for the fold to give the event loop back, so the
 * server sat idle between the statements of a write. Here the thread answers at once, and its
 * socket work runs on the other core. Requests run one after another, in the order given; once
 * a transaction has failed, every later one fails too, unrun.
 *
 * COPY input crosses as bytes in buffers that go to the thread and come back with the reply, to
 * be filled again (`encode`): text or fresh buffers handed over became garbage in the thread,
 * whose heap is too quiet to collect it, and its memory grew with the length of the run.
 */
export class SqlThread {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (rows: unknown[][]) => void; reject: (error: Error) => void }
  >();
  private failure: Error | undefined;
  /** Buffers back from the thread, ready to be filled again. */
  private readonly free: ArrayBuffer[] = [];
  /** The buffer `encode` is filling, and how far: it goes with the next request. */
  private filling: ArrayBuffer | undefined;
  private filled = 0;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: SqlReply) => {
      for (const buffer of reply.spent) if (this.free.length < MAX_FREE) this.free.push(buffer);
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if ('error' in reply) waiting.reject(new SqlThreadError(reply.error));
      else waiting.resolve(reply.rows);
    });
    const fail = (error: Error): void => {
      this.failure = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQL thread exited (code ${code})`)));
  }

  static async start(databaseUrl: string): Promise<SqlThread> {
    const worker = new Worker(new URL('./sql-thread-worker.js', import.meta.url), {
      workerData: { databaseUrl },
    });
    const thread = new SqlThread(worker);
    try {
      await thread.run([{ query: 'SELECT 1' }]);
    } catch (error) {
      await thread.close();
      throw error;
    }
    return thread;
  }

  /** Runs `steps` in order; resolves with each step's rows (none for a COPY). */
  run(steps: readonly SqlStep[], transaction = false): Promise<unknown[][]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const request: SqlRequest = { id, steps, transaction };
      this.worker.postMessage(request, buffersOf(steps));
      // Moved to the thread (and emptied here) if the request used it; a new one next time.
      if (this.filling?.byteLength === 0) this.filling = undefined;
    });
  }

  /**
   * `text` as UTF-8, for a COPY chunk of the next request: packed into the pool's buffers (the
   * request takes them all along, and the reply brings them back).
   */
  encode(text: string): Uint8Array {
    const length = Buffer.byteLength(text);
    if (!this.filling || this.filling.byteLength - this.filled < length) {
      const reused = this.free.pop();
      this.filling =
        reused && reused.byteLength >= length
          ? reused
          : new ArrayBuffer(Math.max(length, BUFFER_BYTES));
      this.filled = 0;
    }
    const bytes = new Uint8Array(this.filling, this.filled, length);
    UTF8.encodeInto(text, bytes);
    this.filled += length;
    return bytes;
  }

  async close(): Promise<void> {
    if (this.failure) return;
    await this.run([{ query: 'SELECT 1' }]).catch(() => undefined);
    this.worker.postMessage('close');
    await new Promise<void>((resolve) => {
      if (this.failure) resolve();
      else this.worker.once('exit', () => resolve());
    });
  }
}

/** Pool buffers are at least this large: several COPY chunks of 500 rows each. */
const BUFFER_BYTES = 1 << 20;
/** Buffers kept for reuse at most: a flush's COPY text, with room to spare. */
const MAX_FREE = 16;
const UTF8 = new TextEncoder();

/** The memory of the steps' byte chunks: moved to the thread with a request, and back with its reply. */
export function buffersOf(steps: readonly SqlStep[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const step of steps) {
    if (!('copy' in step)) continue;
    for (const chunk of step.chunks) {
      if (typeof chunk !== 'string' && chunk.buffer instanceof ArrayBuffer)
        buffers.add(chunk.buffer);
    }
  }
  return [...buffers];
}
