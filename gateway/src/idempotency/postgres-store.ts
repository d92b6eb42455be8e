import { Batcher, withServerSetting } from '@bank/platform';
import pg from 'pg';
import { legacyCommandIdFor } from './keys.js';
import type { BeginResult, IdempotencyStore, StoredResponse } from './store.js';

/** An advisory lock id so that gateways starting together do not race on CREATE TABLE. */
const MIGRATION_LOCK = 7_310_241_889;

const MIGRATION = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope           text        NOT NULL,
  key             text        NOT NULL,
  request_hash    text        NOT NULL,
  command_id      text,
  status          text        NOT NULL CHECK (status IN ('in_flight', 'completed')),
  response_status integer,
  response_body   jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_at_idx ON idempotency_keys (created_at);
-- Rows claimed before command ids were stored have none: their command id is the legacy one.
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS command_id text;
`;

/**
 * Idempotency keys in PostgreSQL, scoped by principal. The primary key decides who runs a
 * command: exactly one INSERT wins, every concurrent duplicate sees the row.
 */
interface Claim {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
  readonly commandId: string;
}

interface Completion {
  readonly scope: string;
  readonly key: string;
  readonly response: StoredResponse;
}

export class PostgresIdempotencyStore implements IdempotencyStore {
  private readonly pool: pg.Pool;
  private readonly staleInFlightMs: number;
  /** Claims and answers of concurrent requests go in one statement each (see Batcher). */
  private readonly claims: Batcher<Claim, boolean>;
  private readonly completions: Batcher<Completion, void>;

  constructor(options: {
    databaseUrl: string;
    poolSize: number;
    /** An in-flight row older than this was left by a crashed attempt: a retry may take it over. */
    staleInFlightMs: number;
  }) {
    // These rows are a cache of answers, not the guard of exactly-once: that is the command id
    // in the event store, which is committed durably. A row lost to a database crash (the last
    // few hundred milliseconds of writes) means a retry runs again and the command service
    // answers it as a replay of the same command. Skipping the WAL flush saves two flushes per
    // command on the request path.
    this.pool = new pg.Pool({
      connectionString: withServerSetting(options.databaseUrl, 'synchronous_commit', 'off'),
      max: options.poolSize,
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
    // ...and so must a checked-out client's (pg-pool lends clients without its error listener).
    this.pool.on('connect', (client) => {
      client.on('error', () => {});
    });
    this.staleInFlightMs = options.staleInFlightMs;
    const batching = { maxInFlight: Math.max(1, Math.floor(options.poolSize / 4)), maxBatch: 256 };
    this.claims = new Batcher((claims) => this.insertClaims(claims), batching);
    this.completions = new Batcher((completions) => this.updateAnswers(completions), batching);
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

  /**
   * Inserts the claims of a batch in one statement; true for each one that won its key. A key
   * twice in one batch is claimed once: the second copy is answered false and looks the row up.
   */
  private async insertClaims(claims: readonly Claim[]): Promise<boolean[]> {
    const firsts = new Map<string, number>();
    claims.forEach((claim, i) => {
      const id = JSON.stringify([claim.scope, claim.key]);
      if (!firsts.has(id)) firsts.set(id, i);
    });
    const unique = [...firsts.values()].map((i) => claims[i] as Claim);
    const { rows } = await this.pool.query<{ scope: string; key: string }>(
      `INSERT INTO idempotency_keys (scope, key, request_hash, command_id, status)
       SELECT scope, key, request_hash, command_id, 'in_flight'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
              AS r(scope, key, request_hash, command_id)
       ON CONFLICT (scope, key) DO NOTHING
       RETURNING scope, key`,
      [
        unique.map((c) => c.scope),
        unique.map((c) => c.key),
        unique.map((c) => c.requestHash),
        unique.map((c) => c.commandId),
      ],
    );
    const won = new Set(rows.map((row) => firsts.get(JSON.stringify([row.scope, row.key]))));
    return claims.map((_, i) => won.has(i));
  }

  private async updateAnswers(completions: readonly Completion[]): Promise<void[]> {
    await this.pool.query(
      `UPDATE idempotency_keys k
          SET status = 'completed', response_status = r.status, response_body = r.body,
              updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::integer[], $4::jsonb[]) AS r(scope, key, status, body)
        WHERE k.scope = r.scope AND k.key = r.key`,
      [
        completions.map((c) => c.scope),
        completions.map((c) => c.key),
        completions.map((c) => c.response.status),
        completions.map((c) => JSON.stringify(c.response.body)),
      ],
    );
    return completions.map(() => undefined);
  }

  async begin(
    scope: string,
    key: string,
    requestHash: string,
    commandId: string,
  ): Promise<BeginResult> {
    if (await this.claims.submit({ scope, key, requestHash, commandId }))
      return { kind: 'started', commandId };
    const { rows } = await this.pool.query<{
      request_hash: string;
      command_id: string | null;
      status: 'in_flight' | 'completed';
      response_status: number | null;
      response_body: unknown;
      stale: boolean;
    }>(
      `SELECT request_hash, command_id, status, response_status, response_body,
              updated_at < now() - make_interval(secs => $3::double precision / 1000) AS stale
         FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key, this.staleInFlightMs],
    );
    const row = rows[0];
    // Purged or abandoned between the two statements: try once more.
    if (!row) return this.begin(scope, key, requestHash, commandId);
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
      if (taken.rowCount === 1)
        return { kind: 'started', commandId: row.command_id ?? legacyCommandIdFor(scope, key) };
    }
    return { kind: 'in_flight' };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.completions.submit({ scope, key, response });
  }

  /** Keeps the row, and with it the command id, and makes it stale: the next retry takes it over. */
  async abandon(scope: string, key: string): Promise<void> {
    await this.pool.query(
      `UPDATE idempotency_keys SET updated_at = '-infinity'
        WHERE scope = $1 AND key = $2 AND status = 'in_flight'`,
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
