import type { Knex } from 'knex';

/**
 * A day's money in and money out have no bound: a balance is capped (the domain refuses to pass
 * 10^18 minor units), but money can go in and out of an account all day. As 64-bit integers a
 * busy enough day would overflow and stop the projection at that account's event; as `numeric`
 * they are exact at any size. Balances stay `bigint`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE daily_balances
      ALTER COLUMN total_in TYPE numeric,
      ALTER COLUMN total_out TYPE numeric`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE daily_balances
      ALTER COLUMN total_in TYPE bigint,
      ALTER COLUMN total_out TYPE bigint`);
}
