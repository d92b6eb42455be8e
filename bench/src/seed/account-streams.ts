import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@bank/event-store';
import type pg from 'pg';

/**
 * Fast bulk seeding straight into the PostgreSQL event store table (recorded as such in the
 * report): one INSERT ... SELECT per chunk of accounts, rows built by PostgreSQL itself.
 *
 * The event store's append protocol (its lock and position rules) exists for concurrent
 * writers and readers. Seeding runs while nothing else reads or writes this schema, assigns
 * positions explicitly (interleaving streams round-robin, as live traffic does) and moves the
 * sequence past them afterwards, so a subscription started later sees an ordinary, gap-free log.
 *
 * Each account stream: AccountOpened (USD, checking), FundsDeposited(openingDeposit), then
 * alternating FundsDeposited 10.00 / FundsWithdrawn 5.00 (never below zero). Metadata has every
 * field the command service writes (event id, command id, correlation and causation ids,
 * actor, occurredAt, schema version 1); occurredAt is spread over the last `spreadDays` days.
 */
export interface SeedOptions {
  readonly accounts: number;
  readonly eventsPerAccount: number;
  /** Minor units of the first deposit. */
  readonly openingDeposit: bigint;
  readonly ownerId: string;
  readonly spreadDays: number;
  /** Accounts per INSERT statement. */
  readonly chunk?: number;
  readonly onProgress?: (eventsSoFar: number) => void;
}

const SEED_SQL = `
WITH accounts AS (
  SELECT id::text AS id, ord AS i FROM unnest($1::uuid[]) WITH ORDINALITY AS a(id, ord)
), base AS (
  SELECT coalesce(max(position), 0) AS p FROM events
), rows AS (
  SELECT a.id, a.i, r::bigint AS r, gen_random_uuid() AS event_id,
         now() - make_interval(secs => $6::float8 * 86400 * (1 - (r + 1)::float8 / $2::int)) AS at
  FROM accounts a CROSS JOIN generate_series(0, $2::int - 1) AS r
)
INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at)
SELECT base.p + rows.r * $3::bigint + rows.i,
       'account-' || rows.id,
       rows.r,
       rows.event_id,
       CASE WHEN rows.r = 0 THEN 'AccountOpened'
            WHEN rows.r = 1 OR rows.r % 2 = 0 THEN 'FundsDeposited'
            ELSE 'FundsWithdrawn' END,
       CASE WHEN rows.r = 0 THEN jsonb_build_object('accountId', rows.id, 'ownerId', $4::text, 'currency', 'USD',
                                                    'accountType', 'checking', 'overdraftLimit', '0')
            WHEN rows.r = 1 THEN jsonb_build_object('accountId', rows.id, 'amount', $5::text)
            WHEN rows.r % 2 = 0 THEN jsonb_build_object('accountId', rows.id, 'amount', '1000')
            ELSE jsonb_build_object('accountId', rows.id, 'amount', '500') END,
       jsonb_build_object('eventId', rows.event_id::text,
                          'commandId', 'bench-seed-' || rows.event_id::text,
                          'correlationId', 'bench-seed-' || rows.id,
                          'causationId', 'bench-seed-' || rows.event_id::text,
                          'actor', jsonb_build_object('id', 'bench-seeder', 'roles', jsonb_build_array('teller')),
                          'occurredAt', to_char(rows.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                          'schemaVersion', 1),
       rows.at
FROM rows, base`;

/** Creates the event table (through the adapter's own migration) if this schema has none yet. */
export async function ensureEventTable(databaseUrl: string): Promise<void> {
  const store = new PostgresEventStore(databaseUrl);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

/** Seeds account streams; returns the account ids. */
export async function seedAccountStreams(pool: pg.Pool, options: SeedOptions): Promise<string[]> {
  const ids = Array.from({ length: options.accounts }, () => randomUUID());
  const chunk = options.chunk ?? 2000;
  let events = 0;
  for (let from = 0; from < ids.length; from += chunk) {
    const part = ids.slice(from, from + chunk);
    await pool.query(SEED_SQL, [
      part,
      options.eventsPerAccount,
      part.length,
      options.ownerId,
      options.openingDeposit.toString(),
      options.spreadDays,
    ]);
    events += part.length * options.eventsPerAccount;
    options.onProgress?.(events);
  }
  await pool.query(`SELECT setval('events_position_seq', (SELECT max(position) FROM events))`);
  await pool.query('ANALYZE events');
  return ids;
}
