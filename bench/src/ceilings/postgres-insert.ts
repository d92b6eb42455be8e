import pg from 'pg';
import { eventShapedRow } from './event-row.js';
import { runClosedLoop, type ClosedLoopResult } from '../load/closed-loop.js';

export interface PostgresCeilingOptions {
  /** URL whose search_path is a bench schema. */
  readonly databaseUrl: string;
  readonly concurrency: number;
  readonly durationSeconds: number;
  readonly maxOperations: number;
}

/**
 * Ceiling for the write path: single-row INSERT, each its own transaction (autocommit, so one
 * COMMIT and one WAL flush per row), `concurrency` connections through `pg`. The row looks like
 * an event row: text stream id, uuid, a jsonb payload and metadata of about the same size.
 */
export async function measurePostgresInsertCeiling(
  options: PostgresCeilingOptions,
): Promise<ClosedLoopResult> {
  const setup = new pg.Client({ connectionString: options.databaseUrl });
  await setup.connect();
  try {
    await setup.query(`CREATE TABLE IF NOT EXISTS ceiling_inserts (
      id bigserial PRIMARY KEY, stream_id text NOT NULL, event_id uuid NOT NULL UNIQUE,
      data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
  } finally {
    await setup.end();
  }
  const clients = await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await client.connect();
      return client;
    }),
  );
  try {
    return await runClosedLoop({
      concurrency: options.concurrency,
      durationSeconds: options.durationSeconds,
      maxOperations: options.maxOperations,
      operation: async (worker) => {
        const client = clients[worker];
        if (!client) return { kind: 'error', status: 'no client' };
        const row = eventShapedRow('100');
        await client.query(
          'INSERT INTO ceiling_inserts (stream_id, event_id, data, metadata) VALUES ($1, $2, $3, $4)',
          [row.stream_id, row.event_id, row.data, row.metadata],
        );
        return { kind: 'ok', status: 'insert' };
      },
    });
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
