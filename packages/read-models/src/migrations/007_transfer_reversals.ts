import type { Knex } from 'knex';

/**
 * A reversal is a transfer that names the transfer it moves money back for; each transfer keeps
 * how much of it reversals have moved back so far.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE transfers ADD COLUMN IF NOT EXISTS reversal_of uuid,
                                        ADD COLUMN IF NOT EXISTS reversed_amount bigint NOT NULL DEFAULT 0`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE transfers DROP COLUMN IF EXISTS reversed_amount, DROP COLUMN IF EXISTS reversal_of',
  );
}
