import type { Knex } from 'knex';

/**
 * A transfer that is a leg of a transfer batch names its batch, its place in it and the batch's
 * mode; the legs of a batch are found by the batch id. Transfers on their own keep null there.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE transfers ADD COLUMN IF NOT EXISTS batch_id uuid,
                                        ADD COLUMN IF NOT EXISTS batch_index integer,
                                        ADD COLUMN IF NOT EXISTS batch_mode text`);
  await knex.raw(
    'CREATE INDEX IF NOT EXISTS transfers_batch_idx ON transfers (batch_id, batch_index) ' +
      'WHERE batch_id IS NOT NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS transfers_batch_idx');
  await knex.raw(
    'ALTER TABLE transfers DROP COLUMN IF EXISTS batch_mode, DROP COLUMN IF EXISTS batch_index, DROP COLUMN IF EXISTS batch_id',
  );
}
