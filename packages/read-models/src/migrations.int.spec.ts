import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createKnex } from '@bank/platform';
import { createTestSchema, waitFor, type TestSchema } from '@bank/testkit';
import { migrateReadModels } from './migrations.js';

const schemas: TestSchema[] = [];
after(async () => {
  await Promise.all(schemas.map((schema) => schema.drop()));
});

async function freshSchema(): Promise<TestSchema> {
  const schema = await createTestSchema('read_model_migrations');
  schemas.push(schema);
  return schema;
}

async function lockRows(schema: TestSchema): Promise<number[]> {
  const { rows } = await schema.pool.query<{ is_locked: number }>(
    'SELECT is_locked FROM read_model_migrations_lock ORDER BY index',
  );
  return rows.map((row) => row.is_locked);
}

async function appliedMigrations(schema: TestSchema): Promise<string[]> {
  const { rows } = await schema.pool.query<{ name: string }>(
    'SELECT name FROM read_model_migrations ORDER BY name',
  );
  return rows.map((row) => row.name);
}

const ALL = [
  '001_initial',
  '002_projection_dead_letters',
  '003_dead_letter_keys',
  '004_daily_turnover_numeric',
  '005_holds_by_account',
  '006_transfer_batches',
  '007_transfer_reversals',
];

describe('migrateReadModels', () => {
  it('migrates a fresh schema from several processes at once, leaving one free lock row', async () => {
    // Each knex instance stands for a process of its own (its own pool). Several rounds, since
    // the collision this guards against (two processes both finding knex's lock table empty and
    // both adding a row, after which knex can never take its lock) is a matter of timing.
    for (let round = 0; round < 12; round += 1) {
      const schema = await freshSchema();
      const processes = Array.from({ length: 5 }, () =>
        createKnex({ databaseUrl: schema.url, poolSize: 2 }),
      );
      try {
        await Promise.all(processes.map((knex) => migrateReadModels(knex, 20_000)));
      } finally {
        await Promise.all(processes.map((knex) => knex.destroy()));
      }
      assert.deepEqual(await appliedMigrations(schema), ALL, `round ${round}`);
      assert.deepEqual(await lockRows(schema), [0], `round ${round}: knex's lock rows`);
    }
  });

  it('repairs a lock table left with more than one row, which knex could never lock', async () => {
    const schema = await freshSchema();
    await schema.pool.query(
      `CREATE TABLE read_model_migrations_lock (index serial PRIMARY KEY, is_locked integer)`,
    );
    await schema.pool.query(`INSERT INTO read_model_migrations_lock (is_locked) VALUES (0), (0)`);
    const knex = createKnex({ databaseUrl: schema.url, poolSize: 2 });
    try {
      await migrateReadModels(knex, 2_000);
    } finally {
      await knex.destroy();
    }
    assert.deepEqual(await appliedMigrations(schema), ALL);
    assert.deepEqual(await lockRows(schema), [0]);
  });

  it('waits for another process that holds the migration lock, then migrates', async () => {
    const schema = await freshSchema();
    // Another process is migrating: knex's lock row is taken.
    await schema.pool.query(
      `CREATE TABLE read_model_migrations_lock (index serial PRIMARY KEY, is_locked integer)`,
    );
    await schema.pool.query(`INSERT INTO read_model_migrations_lock (is_locked) VALUES (1)`);
    const knex = createKnex({ databaseUrl: schema.url, poolSize: 2 });
    try {
      let lockAttempts = 0;
      knex.on('query', ({ sql }: { sql: string }) => {
        if (/^update "read_model_migrations_lock"/i.test(sql)) lockAttempts += 1;
      });
      let done = false;
      const migrating = migrateReadModels(knex, 20_000).then(() => (done = true));
      // A second try at knex's lock means the first found it taken and the migrator is waiting.
      await waitFor(() => lockAttempts >= 2, { description: 'a second try at the migration lock' });
      assert.equal(done, false, 'migrated although the lock was held');
      await schema.pool.query(`UPDATE read_model_migrations_lock SET is_locked = 0`);
      await migrating;
    } finally {
      await knex.destroy();
    }
    assert.deepEqual(await appliedMigrations(schema), ALL);
  });

  it('gives up with the lock error once its wait is over', async () => {
    const schema = await freshSchema();
    const knex = createKnex({ databaseUrl: schema.url, poolSize: 2 });
    try {
      await migrateReadModels(knex);
      await schema.pool.query(`UPDATE read_model_migrations_lock SET is_locked = 1`);
      await assert.rejects(migrateReadModels(knex, 500), { name: 'MigrationLocked' });
    } finally {
      await knex.destroy();
    }
  });
});
