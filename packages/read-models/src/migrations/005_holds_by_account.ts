import type { Knex } from 'knex';

/** An account's holds, newest first, by keyset: GET /v1/accounts/{id}/holds. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX IF NOT EXISTS holds_account_placed_idx ON holds (account_id, placed_at, hold_id)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS holds_account_placed_idx');
}
