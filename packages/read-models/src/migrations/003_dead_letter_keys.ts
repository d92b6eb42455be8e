import type { Knex } from 'knex';

/**
 * One dead letter per message or event. A Kafka message comes back after a crash between the
 * projector's commit and its offset commit, and a rebuild replays every event: each time the same
 * letter was recorded again. A letter is now the same one when it has the same source, event id
 * and payload (the payload tells apart poison messages, which have no event id); duplicates already
 * recorded are folded into the oldest.
 *
 * And an index by stream and revision: the projector asks whether the event a stream is waiting
 * for was dead-lettered (then the gap behind it will never fill).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    DELETE FROM projection_dead_letters later
     USING projection_dead_letters earlier
     WHERE earlier.id < later.id
       AND earlier.source = later.source
       AND coalesce(earlier.event_id, '') = coalesce(later.event_id, '')
       AND md5(coalesce(earlier.payload, '')) = md5(coalesce(later.payload, ''))`);
  await knex.raw(`
    CREATE UNIQUE INDEX projection_dead_letters_identity_idx ON projection_dead_letters
      (source, (coalesce(event_id, '')), (md5(coalesce(payload, ''))))`);
  await knex.raw(`
    CREATE INDEX projection_dead_letters_stream_idx ON projection_dead_letters (stream_id, revision)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS projection_dead_letters_stream_idx');
  await knex.raw('DROP INDEX IF EXISTS projection_dead_letters_identity_idx');
}
