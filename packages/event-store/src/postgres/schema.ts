import type pg from 'pg';

/** A table name, optionally schema-qualified, split and quoted for SQL. */
export interface TableName {
  /** As given: `events` or `bank.events`; also the key of the append lock. */
  readonly text: string;
  /** Quoted for use in SQL: `"events"` or `"bank"."events"`. */
  readonly sql: string;
  /** The position sequence, quoted. */
  readonly sequenceSql: string;
  /** The append function (see appendFunctionSql), quoted. */
  readonly appendFunctionSql: string;
  /** The group-commit append function (see appendBatchFunctionSql), quoted. */
  readonly appendBatchFunctionSql: string;
  /** The table of client commands' first outcomes (see outcomesTableSql), quoted. */
  readonly outcomesSql: string;
  /** Bare table name, to derive index and constraint names. */
  readonly bare: string;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,50}$/;

export function parseTableName(name: string): TableName {
  const parts = name.split('.');
  if (parts.length > 2 || parts.some((part) => !identifier.test(part))) {
    throw new Error(`invalid event table name "${name}": expected [schema.]table of [A-Za-z0-9_]`);
  }
  const bare = parts[parts.length - 1] as string;
  const schema = parts.length === 2 ? `${quote(parts[0] as string)}.` : '';
  return {
    text: name,
    sql: `${schema}${quote(bare)}`,
    sequenceSql: `${schema}${quote(`${bare}_position_seq`)}`,
    appendFunctionSql: `${schema}${quote(`${bare}_append`)}`,
    appendBatchFunctionSql: `${schema}${quote(`${bare}_append_batch_v6`)}`,
    outcomesSql: `${schema}${quote(`${bare}_command_outcomes`)}`,
    bare,
  };
}

function quote(part: string): string {
  return `"${part}"`;
}

/** Keys of the transaction-level advisory locks, namespaced so they do not clash with others. */
export const LOCK_NAMESPACE = 0x62616e6b; // 'bank'
const MIGRATION_LOCK = 0x6d696772; // 'migr'

/** Constraint names the adapter maps back to typed errors. */
export function constraintNames(table: TableName): {
  eventId: string;
  streamRevision: string;
  outcome: string;
} {
  return {
    eventId: `${table.bare}_event_id_key`,
    streamRevision: `${table.bare}_stream_revision_key`,
    outcome: `${table.bare}_command_outcomes_pkey`,
  };
}

/**
 * Client commands' first outcomes: a row per command id, written in the transaction of its
 * events when accepted (the group-commit function), on its own when refused. The primary key
 * makes the first outcome the only one. Rows are purged after the idempotency retention.
 */
function outcomesTableSql(table: TableName): string {
  const names = constraintNames(table);
  return `
    CREATE TABLE IF NOT EXISTS ${table.outcomesSql} (
      command_id   text        NOT NULL,
      request_hash text        NOT NULL,
      refusal      jsonb,
      position     bigint,
      recorded_at  timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "${names.outcome}" PRIMARY KEY (command_id)
    );
    CREATE INDEX IF NOT EXISTS "${table.bare}_command_outcomes_recorded_at_idx"
      ON ${table.outcomesSql} (recorded_at)`;
}

/**
 * Creates the event table, its sequence and indexes if missing. Safe to run concurrently
 * from several processes: a transaction-level advisory lock serialises the DDL.
 */
export async function migrateEventTable(pool: pg.Pool, table: TableName): Promise<void> {
  // DDL on an existing table (ALTER SEQUENCE ... OWNED BY, CREATE INDEX IF NOT EXISTS) still takes
  // locks that deadlock with concurrent appends, so a schema already in place is left untouched.
  const present = await eventSchemaState(pool, table);
  if (present.table && present.appendFunction) return;
  const names = constraintNames(table);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, MIGRATION_LOCK]);
    if (present.table) {
      // A table from before the current append functions: add them (and what they write) only.
      await client.query(outcomesTableSql(table));
      await client.query(appendFunctionSql(table));
      await client.query(appendBatchFunctionSql(table));
      await client.query('COMMIT');
      return;
    }
    await client.query(`CREATE SEQUENCE IF NOT EXISTS ${table.sequenceSql} AS bigint MINVALUE 1`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${table.sql} (
        position    bigint      PRIMARY KEY DEFAULT nextval('${table.sequenceSql}'),
        stream_id   text        NOT NULL,
        revision    bigint      NOT NULL CHECK (revision >= 0),
        event_id    uuid        NOT NULL,
        type        text        NOT NULL,
        data        jsonb       NOT NULL,
        metadata    jsonb       NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "${names.eventId}" UNIQUE (event_id),
        CONSTRAINT "${names.streamRevision}" UNIQUE (stream_id, revision)
      )`);
    await client.query(`ALTER SEQUENCE ${table.sequenceSql} OWNED BY ${table.sql}.position`);
    // readAll filtered by event type, in position order.
    await client.query(
      `CREATE INDEX IF NOT EXISTS "${table.bare}_type_position_idx" ON ${table.sql} (type, position)`,
    );
    // readAll filtered by stream id prefix (LIKE 'prefix%' needs pattern ops under a non-C collation).
    await client.query(
      `CREATE INDEX IF NOT EXISTS "${table.bare}_stream_prefix_idx" ON ${table.sql} (stream_id text_pattern_ops, position)`,
    );
    await client.query(outcomesTableSql(table));
    await client.query(appendFunctionSql(table));
    await client.query(appendBatchFunctionSql(table));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * A setting of the append functions. PL/pgSQL plans their statements once per connection and
 * keeps the plan until the tables' statistics change; planned while a table was small or not yet
 * analyzed (a new store, a new outcomes table), a check by key became a scan of the whole table
 * (a hashed subplan over every recorded outcome and every event id), and each batch grew slower
 * with every event appended until autovacuum next analyzed the table (2 ms per batch of 13
 * appends after 250 batches, 10 ms after 1,000). With sequential scans off the planner probes the
 * keys' indexes whatever the statistics say.
 */
const KEY_LOOKUPS_ONLY = 'SET enable_seqscan = off';

/**
 * The append as one server-side call: take the table's append lock, then (in a later statement,
 * hence a fresh snapshot that sees the previous appender's commit) check the expected revision
 * and insert. Called in autocommit, the call is its own transaction, so the lock is held for the
 * execution and the commit only, never across a network round trip to the client. Its result
 * columns are prefixed so they cannot clash with the table's columns inside PL/pgSQL.
 */
export function appendFunctionSql(table: TableName): string {
  return `
    CREATE OR REPLACE FUNCTION ${table.appendFunctionSql}(
      p_stream text, p_mode text, p_expected bigint,
      p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[], p_channel text)
    RETURNS TABLE (out_current bigint, out_position bigint, out_revision bigint, out_head bigint)
    LANGUAGE plpgsql VOLATILE ${KEY_LOOKUPS_ONLY} AS $fn$
    BEGIN
      PERFORM pg_advisory_xact_lock(${LOCK_NAMESPACE}, '${table.text}'::regclass::oid::int4);
      RETURN QUERY
      WITH current AS (
        SELECT max(t.revision) AS revision FROM ${table.sql} t WHERE t.stream_id = p_stream
      ), inserted AS (
        INSERT INTO ${table.sql} (stream_id, revision, event_id, type, data, metadata)
        SELECT p_stream, coalesce(current.revision, -1) + e.ord, e.event_id, e.type, e.data, e.metadata
          FROM current,
               unnest(p_ids, p_types, p_data, p_metadata)
                 WITH ORDINALITY AS e(event_id, type, data, metadata, ord)
         WHERE p_mode = 'any'
            OR (p_mode = 'no_stream' AND current.revision IS NULL)
            OR (p_mode = 'exact' AND current.revision = p_expected)
         ORDER BY e.ord
        RETURNING ${table.sql}.position, ${table.sql}.revision
      ), notified AS (
        SELECT max(i.position) AS position, max(i.revision) AS revision,
               CASE WHEN count(*) > 0 THEN pg_notify(p_channel, max(i.position)::text) END AS n
          FROM inserted i
      )
      SELECT (SELECT c.revision FROM current c), notified.position, notified.revision,
             (SELECT coalesce(max(t.position), 0) FROM ${table.sql} t)
        FROM notified;
    END
    $fn$`;
}

/**
 * Group commit: several appends from one process in one transaction, under one take of the append
 * lock and one commit (one WAL flush). Items come as parallel arrays (stream, mode, expected
 * revision, event count, group) over the flattened events, like the single append's parameters,
 * so no JSON is parsed on the way in. Items of one group (the streams of one atomic multi-stream
 * append; a single append is a group of its own) are written all or none: an item whose expected
 * revision does not hold (`conflict`) or whose event ids exist already (`duplicate`) is reported
 * and written nowhere, and the other items of its group are reported `aborted` and not written
 * either, while the other groups go in. Groups are applied in order, so a later item on the same
 * stream sees the earlier one's events, and a group's events take consecutive positions. An item
 * may carry the outcome of its group's command (id and request hash): it is recorded with the
 * events, and a command that has an outcome already is reported `recorded` and not written
 * (after the revision and event-id checks: a stale view reads again and finds the command).
 */
export function appendBatchFunctionSql(table: TableName): string {
  // An exact expected revision never matches a stream that does not exist (NULL revision).
  const holds = (mode: string, expected: string, current: string): string =>
    `(${mode} = 'any' OR (${mode} = 'no_stream' AND ${current} IS NULL)
       OR (${mode} = 'exact' AND ${current} IS NOT DISTINCT FROM ${expected}))`;
  return `
    CREATE OR REPLACE FUNCTION ${table.appendBatchFunctionSql}(
      p_streams text[], p_modes text[], p_expected bigint[], p_counts int[], p_groups int[],
      p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[], p_channel text,
      p_outcome_ids text[], p_outcome_hashes text[])
    RETURNS TABLE (out_item int, out_status text, out_current bigint, out_position bigint,
                   out_revision bigint)
    -- An append of a thousand streams looks expensive to the planner, whose JIT then spends
    -- seconds compiling a statement that runs in milliseconds: never worth it for an append.
    -- Every table access here is a look-up by key (stream, event id, command id); see
    -- KEY_LOOKUPS_ONLY for why sequential scans are off.
    LANGUAGE plpgsql VOLATILE SET jit = off ${KEY_LOOKUPS_ONLY} AS $fn$
    DECLARE
      v_items int := coalesce(array_length(p_streams, 1), 0);
      v_item int := 1;
      v_group_end int;
      v_group_first_event int;
      v_first int := 1;
      v_last int;
      v_current bigint;
      v_group_ok boolean;
      v_currents bigint[] := '{}';
      v_statuses text[] := '{}';
      v_head bigint;
    BEGIN
      PERFORM pg_advisory_xact_lock(${LOCK_NAMESPACE}, '${table.text}'::regclass::oid::int4);
      IF (SELECT count(DISTINCT s) FROM unnest(p_streams) AS s) = v_items THEN
        -- Every item on its own stream (the usual case): check and insert the whole batch in
        -- one statement, instead of three statements per item.
        RETURN QUERY
        WITH items AS (
          SELECT i.item, i.stream, i.mode, i.expected, i.cnt, i.grp, i.outcome_id, i.outcome_hash,
                 (sum(i.cnt) OVER (ORDER BY i.item) - i.cnt + 1)::bigint AS first_event
            FROM unnest(p_streams, p_modes, p_expected, p_counts, p_groups, p_outcome_ids,
                        p_outcome_hashes)
                   WITH ORDINALITY AS i(stream, mode, expected, cnt, grp, outcome_id, outcome_hash, item)
        ), incoming AS (
          SELECT e.event_id, e.type, e.data, e.metadata, e.idx
            FROM unnest(p_ids, p_types, p_data, p_metadata)
                   WITH ORDINALITY AS e(event_id, type, data, metadata, idx)
        ), event_items AS (
          -- Each event's item by equality (a hash join), not by range: a multi-stream append of a
          -- thousand streams would otherwise compare every event with every item.
          SELECT it.item, g.idx, g.idx - it.first_event + 1 AS ord
            FROM items it
            CROSS JOIN LATERAL generate_series(it.first_event, it.first_event + it.cnt - 1) AS g(idx)
        ), placed AS (
          SELECT ei.item, ev.event_id, ev.type, ev.data, ev.metadata, ei.ord
            FROM event_items ei
            JOIN incoming ev ON ev.idx = ei.idx
        ), duplicates AS (
          -- Each look-up is a lateral probe of an index (a join or an EXISTS the planner may turn
          -- into a hash over the whole table; see KEY_LOOKUPS_ONLY).
          SELECT DISTINCT p.item FROM placed p
           CROSS JOIN LATERAL (SELECT 1 FROM ${table.sql} t WHERE t.event_id = p.event_id LIMIT 1) AS hit
        ), checked AS MATERIALIZED (
          -- Materialized: each item's look-ups run once, not once per use of its status below.
          SELECT it.item, it.stream, it.grp, c.revision AS current,
                 CASE WHEN NOT ${holds('it.mode', 'it.expected', 'c.revision')} THEN 'conflict'
                      WHEN EXISTS (SELECT 1 FROM duplicates d WHERE d.item = it.item) THEN 'duplicate'
                      WHEN r.recorded THEN 'recorded'
                      ELSE 'ok' END AS status
            FROM items it
            CROSS JOIN LATERAL (SELECT max(t.revision) AS revision FROM ${table.sql} t
                                 WHERE t.stream_id = it.stream) AS c
            CROSS JOIN LATERAL (SELECT count(*) > 0 AS recorded FROM ${table.outcomesSql} o
                                 WHERE o.command_id = it.outcome_id) AS r
        ), decided AS (
          SELECT ch.item, ch.stream, ch.current,
                 CASE WHEN ch.status = 'ok' AND NOT bool_and(ch.status = 'ok') OVER (PARTITION BY ch.grp)
                      THEN 'aborted' ELSE ch.status END AS status
            FROM checked ch
        ), inserted AS (
          INSERT INTO ${table.sql} (stream_id, revision, event_id, type, data, metadata)
          SELECT d.stream, coalesce(d.current, -1) + p.ord, p.event_id, p.type, p.data, p.metadata
            FROM decided d JOIN placed p ON p.item = d.item
           WHERE d.status = 'ok'
           ORDER BY d.item, p.ord
          RETURNING ${table.sql}.stream_id, ${table.sql}.position, ${table.sql}.revision
        ), outcomes AS (
          -- Each stream is one item's here, so a group's events are found by its streams.
          INSERT INTO ${table.outcomesSql} (command_id, request_hash, position)
          SELECT it.outcome_id, it.outcome_hash, max(i.position)
            FROM decided d
            JOIN items it ON it.item = d.item
            JOIN items member ON member.grp = it.grp
            JOIN inserted i ON i.stream_id = member.stream
           WHERE d.status = 'ok' AND it.outcome_id IS NOT NULL
           GROUP BY it.outcome_id, it.outcome_hash
        ), per_stream AS (
          SELECT i.stream_id, max(i.position) AS position, max(i.revision) AS revision
            FROM inserted i GROUP BY i.stream_id
        ), notified AS (
          SELECT pg_notify(p_channel, max(i.position)::text) FROM inserted i HAVING count(*) > 0
        )
        SELECT (d.item - 1)::int, d.status, d.current, ps.position, ps.revision
          FROM decided d LEFT JOIN per_stream ps ON ps.stream_id = d.stream
         WHERE (SELECT count(*) FROM notified) >= 0
         ORDER BY d.item;
        RETURN;
      END IF;
      -- Some stream appears more than once: group by group, check every item of the group, then
      -- insert them all or none, so a later item sees what an earlier one wrote.
      WHILE v_item <= v_items LOOP
        v_group_end := v_item;
        WHILE v_group_end < v_items AND p_groups[v_group_end + 1] = p_groups[v_item] LOOP
          v_group_end := v_group_end + 1;
        END LOOP;
        v_group_first_event := v_first;
        v_group_ok := true;
        FOR v_i IN v_item .. v_group_end LOOP
          v_last := v_first + p_counts[v_i] - 1;
          SELECT max(t.revision) INTO v_current FROM ${table.sql} t WHERE t.stream_id = p_streams[v_i];
          v_currents[v_i] := v_current;
          IF NOT ${holds('p_modes[v_i]', 'p_expected[v_i]', 'v_current')} THEN
            v_statuses[v_i] := 'conflict';
          ELSIF EXISTS (SELECT 1 FROM ${table.sql} t WHERE t.event_id = ANY (p_ids[v_first:v_last])) THEN
            v_statuses[v_i] := 'duplicate';
          ELSIF p_outcome_ids[v_i] IS NOT NULL AND EXISTS (
               SELECT 1 FROM ${table.outcomesSql} o WHERE o.command_id = p_outcome_ids[v_i]) THEN
            v_statuses[v_i] := 'recorded';
          ELSE
            v_statuses[v_i] := 'ok';
          END IF;
          v_group_ok := v_group_ok AND v_statuses[v_i] = 'ok';
          v_first := v_last + 1;
        END LOOP;
        v_first := v_group_first_event;
        FOR v_i IN v_item .. v_group_end LOOP
          v_last := v_first + p_counts[v_i] - 1;
          out_item := v_i - 1;
          out_current := v_currents[v_i];
          out_position := NULL;
          out_revision := NULL;
          out_status := CASE WHEN v_statuses[v_i] = 'ok' AND NOT v_group_ok THEN 'aborted'
                             ELSE v_statuses[v_i] END;
          IF out_status = 'ok' THEN
            WITH inserted AS (
              INSERT INTO ${table.sql} (stream_id, revision, event_id, type, data, metadata)
              SELECT p_streams[v_i], coalesce(v_currents[v_i], -1) + e.ord, e.event_id, e.type,
                     e.data, e.metadata
                FROM unnest(p_ids[v_first:v_last], p_types[v_first:v_last],
                            p_data[v_first:v_last], p_metadata[v_first:v_last])
                       WITH ORDINALITY AS e(event_id, type, data, metadata, ord)
               ORDER BY e.ord
              RETURNING ${table.sql}.position, ${table.sql}.revision
            )
            SELECT max(i.position), max(i.revision) INTO out_position, out_revision FROM inserted i;
            v_head := out_position;
          END IF;
          v_first := v_last + 1;
          RETURN NEXT;
        END LOOP;
        -- The group's outcome travels on its first item; its position is the group's last event.
        IF v_group_ok AND p_outcome_ids[v_item] IS NOT NULL THEN
          INSERT INTO ${table.outcomesSql} (command_id, request_hash, position)
          VALUES (p_outcome_ids[v_item], p_outcome_hashes[v_item], v_head);
        END IF;
        v_item := v_group_end + 1;
      END LOOP;
      IF v_head IS NOT NULL THEN PERFORM pg_notify(p_channel, v_head::text); END IF;
    END
    $fn$`;
}

async function eventSchemaState(
  pool: pg.Pool,
  table: TableName,
): Promise<{ table: boolean; appendFunction: boolean }> {
  const schema = table.sql.includes('.') ? `${table.sql.split('.')[0]}.` : '';
  const { rows } = await pool.query<{ table: boolean; append_function: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL
            AND to_regclass($3) IS NOT NULL AS table,
            to_regproc($4) IS NOT NULL AND to_regproc($5) IS NOT NULL
            AND to_regclass($6) IS NOT NULL AS append_function`,
    [
      table.sql,
      `${schema}"${table.bare}_type_position_idx"`,
      `${schema}"${table.bare}_stream_prefix_idx"`,
      table.appendFunctionSql,
      table.appendBatchFunctionSql,
      table.outcomesSql,
    ],
  );
  return { table: rows[0]?.table === true, appendFunction: rows[0]?.append_function === true };
}
