import type { Knex } from 'knex';

/**
 * Events the projector gave up on (undecodable, a gap that never filled, a contradiction), so an
 * operator can list, fix and replay them. In Kafka mode they also go to the DLQ topic; in embedded
 * mode (no Kafka) this table is the only dead-letter queue.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('projection_dead_letters', (t) => {
    t.bigIncrements('id').primary();
    t.text('source').notNullable();
    t.text('reason').notNullable();
    t.text('error').notNullable();
    t.text('stream_id');
    t.text('event_id');
    t.text('event_type');
    t.bigInteger('position');
    t.bigInteger('revision');
    t.text('payload');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at'], 'projection_dead_letters_created_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('projection_dead_letters');
}
