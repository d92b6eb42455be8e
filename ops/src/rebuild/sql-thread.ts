import { Worker } from 'node:worker_threads';

/** One statement a SqlThread runs: a query, or a COPY ... FROM STDIN fed with text chunks. */
export type SqlStep =
  | { readonly query: string; readonly params?: readonly unknown[] }
  | { readonly copy: string; readonly chunks: readonly string[] };

export interface SqlRequest {
  readonly id: number;
  readonly steps: readonly SqlStep[];
  /** Run the steps in one transaction (BEGIN ... COMMIT, ROLLBACK on failure). */
  readonly transaction: boolean;
}

export type SqlReply =
  | { readonly id: number; readonly rows: unknown[][] }
  | { readonly id: number; readonly error: SqlThreadErrorFields };

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
 */
export class SqlThread {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (rows: unknown[][]) => void; reject: (error: Error) => void }
  >();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: SqlReply) => {
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
      this.worker.postMessage(request);
    });
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
