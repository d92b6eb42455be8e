import pg from 'pg';
import type { BeginResult, IdempotencyStore, StoredResponse } from './store.js';

/** An advisory lock id so that gateways starting together do not race on CREATE TABLE. */
const MIGRATION_LOCK = 7_310_241_889;

const MIGRATION = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope           text        NOT NULL,
  key             text        NOT NULL,
  request_hash    text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('in_flight', 'completed')),
  response_status integer,
  response_body   jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_at_idx ON idempotency_keys (created_at);
`;

/**
 * Idempotency keys in PostgreSQL, scoped by principal. The primary key decides who runs a
 * command: exactly one INSERT wins, every concurrent duplicate sees the row.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  private readonly pool: pg.Pool;
  private readonly staleInFlightMs: number;

  constructor(options: {
    databaseUrl: string;
    poolSize: number;
    /** An in-flight row older than this was left by a crashed attempt: a retry may take it over. */
    staleInFlightMs: number;
  }) {
    this.pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
    // ...and so must a checked-out client's (pg-pool lends clients without its error listener).
    this.pool.on('connect', (client) => {
      client.on('error', () => {});
      // These rows are a cache of answers, not the guard of exactly-once: that is the command id
      // in the event store, which is committed durably. A row lost to a database crash (the last
      // few hundred milliseconds of writes) means a retry runs again and the command service
      // answers it as a replay of the same command. Skipping the WAL flush saves two flushes per
      // command on the request path. pg runs this before the client's first query.
      client.query('SET synchronous_commit = off').catch(() => {});
    });
    this.staleInFlightMs = options.staleInFlightMs;
  }

  async prepare(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(MIGRATION);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async begin(scope: string, key: string, requestHash: string): Promise<BeginResult> {
    const inserted = await this.pool.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status)
       VALUES ($1, $2, $3, 'in_flight')
       ON CONFLICT (scope, key) DO NOTHING`,
      [scope, key, requestHash],
    );
    if (inserted.rowCount === 1) return { kind: 'started' };
    const { rows } = await this.pool.query<{
      request_hash: string;
      status: 'in_flight' | 'completed';
      response_status: number | null;
      response_body: unknown;
      stale: boolean;
    }>(
      `SELECT request_hash, status, response_status, response_body,
              updated_at < now() - make_interval(secs => $3::double precision / 1000) AS stale
         FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key, this.staleInFlightMs],
    );
    const row = rows[0];
    // Purged or abandoned between the two statements: try once more.
    if (!row) return this.begin(scope, key, requestHash);
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status === 'completed' && row.response_status !== null) {
      return { kind: 'replay', response: { status: row.response_status, body: row.response_body } };
    }
    if (row.stale) {
      // The attempt that claimed the key died without an answer. Taking over is safe: the command
      // id is derived from the key, so the command service runs it at most once.
      const taken = await this.pool.query(
        `UPDATE idempotency_keys SET updated_at = now()
          WHERE scope = $1 AND key = $2 AND status = 'in_flight'
            AND updated_at < now() - make_interval(secs => $3::double precision / 1000)`,
        [scope, key, this.staleInFlightMs],
      );
      if (taken.rowCount === 1) return { kind: 'started' };
    }
    return { kind: 'in_flight' };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.pool.query(
      `UPDATE idempotency_keys
          SET status = 'completed', response_status = $3, response_body = $4::jsonb, updated_at = now()
        WHERE scope = $1 AND key = $2`,
      [scope, key, response.status, JSON.stringify(response.body)],
    );
  }

  async abandon(scope: string, key: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status = 'in_flight'`,
      [scope, key],
    );
  }

  async purge(olderThanMs: number): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1::double precision / 1000)`,
      [olderThanMs],
    );
    return result.rowCount ?? 0;
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
