import type { Knex } from 'knex';

/**
 * The read models. Money columns are bigint minor units (pg hands them back as strings; the
 * code turns them into bigint). Every query the query service runs is backed by an index here.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.uuid('account_id').primary();
    t.text('owner_id').notNullable();
    t.text('currency').notNullable();
    t.text('type').notNullable();
    t.text('status').notNullable();
    t.bigInteger('balance').notNullable();
    t.bigInteger('held').notNullable();
    t.bigInteger('overdraft_limit').notNullable();
    t.bigInteger('available').notNullable();
    t.bigInteger('revision').notNullable();
    t.bigInteger('last_position').notNullable();
    t.timestamp('opened_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['owner_id', 'opened_at', 'account_id'], 'accounts_owner_idx');
  });

  await knex.schema.createTable('ledger_entries', (t) => {
    t.uuid('account_id').notNullable();
    // Stream revision of the event that made the entry: the entry's natural order per account.
    t.bigInteger('revision').notNullable();
    t.uuid('event_id').notNullable();
    t.bigInteger('position').notNullable();
    t.text('type').notNullable();
    // Signed: negative when money leaves the account.
    t.bigInteger('amount').notNullable();
    t.bigInteger('balance_after').notNullable();
    t.text('currency').notNullable();
    t.uuid('counterparty_account_id');
    t.uuid('transfer_id');
    t.uuid('hold_id');
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.primary(['account_id', 'revision']);
    t.unique(['account_id', 'event_id']);
    t.index(['account_id', 'occurred_at', 'revision'], 'ledger_entries_time_idx');
    t.index(['account_id', 'type', 'revision'], 'ledger_entries_type_idx');
  });

  await knex.schema.createTable('holds', (t) => {
    t.uuid('account_id').notNullable();
    t.uuid('hold_id').notNullable();
    t.bigInteger('amount').notNullable();
    t.bigInteger('captured_amount').notNullable().defaultTo(0);
    // open, captured, released, expired
    t.text('status').notNullable();
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('placed_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.primary(['account_id', 'hold_id']);
    t.index(['status', 'expires_at'], 'holds_expiry_idx');
  });

  await knex.schema.createTable('transfers', (t) => {
    t.uuid('transfer_id').primary();
    t.uuid('from_account_id').notNullable();
    t.uuid('to_account_id').notNullable();
    t.bigInteger('amount').notNullable();
    t.text('currency').notNullable();
    t.text('reference').notNullable();
    t.text('status').notNullable();
    t.text('failure_reason');
    t.bigInteger('revision').notNullable();
    t.timestamp('requested_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['from_account_id'], 'transfers_from_idx');
    t.index(['to_account_id'], 'transfers_to_idx');
  });

  await knex.schema.createTable('transfer_status_history', (t) => {
    t.uuid('transfer_id').notNullable();
    t.bigInteger('revision').notNullable();
    t.text('status').notNullable();
    t.text('reason');
    t.timestamp('at', { useTz: true }).notNullable();
    t.primary(['transfer_id', 'revision']);
  });

  await knex.schema.createTable('daily_balances', (t) => {
    t.uuid('account_id').notNullable();
    t.date('day').notNullable();
    t.bigInteger('opening_balance').notNullable();
    t.bigInteger('closing_balance').notNullable();
    t.bigInteger('total_in').notNullable();
    t.bigInteger('total_out').notNullable();
    t.primary(['account_id', 'day']);
  });

  // Idempotency: the last revision of each stream applied to the views. An event applies only
  // when its revision is exactly one more; lower is a redelivery (no-op), higher is a gap.
  await knex.schema.createTable('stream_checkpoints', (t) => {
    t.text('stream_id').primary();
    t.bigInteger('revision').notNullable();
  });

  // Named positions: the relay's checkpoint, the embedded projector's checkpoint and one
  // watermark per Kafka partition ("watermark:<partition>"). Every event at or below the
  // smallest watermark is in the views: the consistency position queries wait for.
  await knex.schema.createTable('projection_checkpoints', (t) => {
    t.text('name').primary();
    t.bigInteger('position').notNullable();
    t.timestamp('last_event_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'projection_checkpoints',
    'stream_checkpoints',
    'daily_balances',
    'transfer_status_history',
    'transfers',
    'holds',
    'ledger_entries',
    'accounts',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
