import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  buffersOf,
  type SqlReply,
  type SqlRequest,
  type SqlStep,
  type SqlThreadErrorFields,
} from './sql-thread.js';

/** The worker side of SqlThread: one connection, requests run one at a time in arrival order. */
const port = parentPort;
if (!port) throw new Error('sql-thread-worker runs as a worker thread');
const { databaseUrl } = workerData as { databaseUrl: string };

const client = new pg.Client({ connectionString: databaseUrl });
// A lost connection fails the statement in flight; the error event itself needs no handling.
client.on('error', () => undefined);
const connected = client.connect();

let queue: Promise<void> = Promise.resolve();
port.on('message', (message: SqlRequest | 'close') => {
  queue = queue.then(async () => {
    if (message === 'close') {
      await client.end().catch(() => undefined);
      port.close();
      return;
    }
    const reply = await answer(message);
    port.postMessage(reply, reply.spent);
  });
});

/**
 * The first transaction that failed. Every later one is refused unrun: requests queue up before
 * their predecessors' replies arrive, and a later transaction committing after an earlier one
 * rolled back would skip that one's rows (a rebuild's flush and its checkpoint).
 */
let failed: SqlThreadErrorFields | undefined;

async function answer(request: SqlRequest): Promise<SqlReply> {
  // Whatever happens, the byte chunks' memory goes back once the request is done with.
  const spent = buffersOf(request.steps);
  if (request.transaction && failed) {
    const message = `not run after: ${failed.message}`;
    return { id: request.id, error: { ...failed, message }, spent };
  }
  try {
    await connected;
    return { id: request.id, rows: await runAll(request), spent };
  } catch (error) {
    const fields = errorFields(error);
    if (request.transaction) failed = fields;
    return { id: request.id, error: fields, spent };
  }
}

async function runAll(request: SqlRequest): Promise<unknown[][]> {
  if (!request.transaction) return runSteps(request.steps);
  await client.query('BEGIN');
  try {
    const rows = await runSteps(request.steps);
    await client.query('COMMIT');
    return rows;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function runSteps(steps: readonly SqlStep[]): Promise<unknown[][]> {
  const results: unknown[][] = [];
  for (const step of steps) {
    if ('copy' in step) {
      // Views, not copies: the COPY has sent every byte when the pipeline ends.
      const chunks = step.chunks.map((chunk) =>
        typeof chunk === 'string'
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
      await pipeline(Readable.from(chunks), client.query(copyFrom(step.copy)));
      results.push([]);
    } else {
      const result = await client.query(step.query, step.params ? [...step.params] : undefined);
      results.push(result.rows as unknown[]);
    }
  }
  return results;
}

function errorFields(error: unknown): SqlThreadErrorFields {
  const e = error as { message?: unknown; code?: unknown; detail?: unknown; constraint?: unknown };
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' ? value : undefined;
  return {
    message: text(e.message) ?? String(error),
    code: text(e.code),
    detail: text(e.detail),
    constraint: text(e.constraint),
  };
}
