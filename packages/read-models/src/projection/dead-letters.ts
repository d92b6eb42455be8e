import type { Knex } from 'knex';
import { runStatements, toJsonParam, type SqlStatement } from './sql-json.js';

/** An event (or message) the projection gave up on: kept for an operator, never silently dropped. */
export interface DeadLetter {
  /** Where it came from: `embedded`, or `kafka:<topic>/<partition>@<offset>`. */
  readonly source: string;
  /** gap, decode, invariant, failed */
  readonly reason: string;
  readonly error: string;
  readonly streamId: string | undefined;
  readonly eventId: string | undefined;
  readonly eventType: string | undefined;
  readonly position: bigint | undefined;
  readonly revision: bigint | undefined;
  /** The payload as received (JSON text, or whatever the message held). */
  readonly payload: string | undefined;
}

/**
 * Records dead letters in `projection_dead_letters`, inside the caller's transaction. A letter
 * already there (the same source, event id and payload: a message delivered again, an event
 * replayed) is not recorded twice.
 */
export async function recordDeadLetters(
  trx: Knex.Transaction,
  letters: readonly DeadLetter[],
): Promise<void> {
  await runStatements(trx, deadLetterStatements(letters));
}

/** recordDeadLetters as statements (none for no letters), for the caller to send with others. */
export function deadLetterStatements(letters: readonly DeadLetter[]): SqlStatement[] {
  if (letters.length === 0) return [];
  return [
    {
      sql: `INSERT INTO projection_dead_letters (source, reason, error, stream_id, event_id, event_type, position,
                                          revision, payload)
     SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(source text, reason text, error text, stream_id text,
       event_id text, event_type text, position bigint, revision bigint, payload text)
     ON CONFLICT DO NOTHING`,
      bindings: [
        toJsonParam(
          letters.map((l) => ({
            source: l.source,
            reason: l.reason,
            error: l.error,
            stream_id: l.streamId ?? null,
            event_id: l.eventId ?? null,
            event_type: l.eventType ?? null,
            position: l.position ?? null,
            revision: l.revision ?? null,
            payload: l.payload ?? null,
          })),
        ),
      ],
    },
  ];
}

/**
 * Whether the event at `revision` of a stream was dead-lettered. A stream waiting for such an
 * event has a gap that will never fill by itself: its later events can be given up on at once.
 */
export async function isDeadLettered(
  db: Knex,
  streamId: string,
  revision: bigint,
): Promise<boolean> {
  const { rows } = await db.raw<{ rows: Array<{ found: boolean }> }>(
    `SELECT EXISTS (SELECT 1 FROM projection_dead_letters WHERE stream_id = ? AND revision = ?) AS found`,
    [streamId, revision.toString()],
  );
  return rows[0]?.found === true;
}
