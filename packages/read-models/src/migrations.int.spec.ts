import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createKnex } from '@bank/platform';
import { createTestSchema } from '@bank/testkit';
import { migrateReadModels } from './migrations.js';

const schema = await createTestSchema('read_model_migrations');
const knex = createKnex({ databaseUrl: schema.url, poolSize: 2 });
after(async () => {
  await knex.destroy();
  await schema.drop();
});

describe('migrateReadModels', () => {
  it('waits for another process that holds the migration lock, then migrates', async () => {
    // Another process is migrating: knex's lock row is taken.
    await schema.pool.query(
      `CREATE TABLE read_model_migrations_lock (index serial PRIMARY KEY, is_locked integer)`,
    );
    await schema.pool.query(`INSERT INTO read_model_migrations_lock (is_locked) VALUES (1)`);
    let done = false;
    const migrating = migrateReadModels(knex, 20_000).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(done, false, 'migrated although the lock was held');
    await schema.pool.query(`UPDATE read_model_migrations_lock SET is_locked = 0`);
    await migrating;
    const { rows } = await schema.pool.query<{ name: string }>(
      'SELECT name FROM read_model_migrations ORDER BY name',
    );
    assert.deepEqual(
      rows.map((r) => r.name),
      ['001_initial', '002_projection_dead_letters'],
    );
  });

  it('gives up with the lock error once its wait is over', async () => {
    await schema.pool.query(`UPDATE read_model_migrations_lock SET is_locked = 1`);
    try {
      await assert.rejects(migrateReadModels(knex, 500), { name: 'MigrationLocked' });
    } finally {
      await schema.pool.query(`UPDATE read_model_migrations_lock SET is_locked = 0`);
    }
  });
});
