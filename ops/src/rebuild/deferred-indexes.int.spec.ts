import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import knexFactory, { type Knex } from 'knex';
import { deferSecondaryIndexes, restoreDeferredIndexes } from './deferred-indexes.js';

/** Two tables with secondary indexes and a unique constraint, as a shadow schema would have. */
const TABLES = ['items', 'notes'];

describe('deferred indexes of a shadow schema', () => {
  let schema: TestSchema;
  let db: Knex;

  before(async () => {
    schema = await createTestSchema('ops_deferred_idx');
    db = knexFactory({ client: 'pg', connection: schema.url, pool: { min: 0, max: 4 } });
  });
  after(async () => {
    await db?.destroy();
    await schema?.drop();
  });

  beforeEach(async () => {
    await db.raw(`DROP TABLE IF EXISTS items, notes, rebuild_deferred_indexes`);
    await db.raw(`CREATE TABLE items (id int PRIMARY KEY, code text NOT NULL, owner text NOT NULL,
                    CONSTRAINT items_code_key UNIQUE (code))`);
    await db.raw(`CREATE INDEX items_owner_idx ON items (owner)`);
    await db.raw(`CREATE TABLE notes (id int PRIMARY KEY, item int NOT NULL, body text NOT NULL)`);
    await db.raw(`CREATE INDEX notes_item_idx ON notes (item, id)`);
    await db.raw(`CREATE INDEX notes_body_idx ON notes (body)`);
  });

  const secondary = async (): Promise<string[]> => {
    const { rows } = await db.raw<{ rows: Array<{ name: string }> }>(
      `SELECT i.relname AS name FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
        WHERE n.nspname = ? AND NOT x.indisprimary ORDER BY 1`,
      [schema.name],
    );
    return rows.map((row) => row.name);
  };
  const remembered = async (): Promise<string[] | undefined> => {
    const { rows } = await db.raw<{ rows: Array<{ name: string | null }> }>(
      `SELECT to_regclass('rebuild_deferred_indexes')::text AS name`,
    );
    if (!rows[0]?.name) return undefined;
    const left = await db.raw<{ rows: Array<{ name: string }> }>(
      'SELECT name FROM rebuild_deferred_indexes ORDER BY name',
    );
    return left.rows.map((row) => row.name);
  };
  const ALL = ['items_code_key', 'items_owner_idx', 'notes_body_idx', 'notes_item_idx'];

  it('drops them before the load and builds every one after it', async () => {
    assert.equal(await deferSecondaryIndexes(db, schema.name, TABLES), 4);
    assert.deepEqual(await secondary(), []);
    await db.raw(
      `INSERT INTO items SELECT g, 'c' || g, 'o' || (g % 7) FROM generate_series(1, 5000) g`,
    );
    await db.raw(`INSERT INTO notes SELECT g, g % 5000, 'b' || g FROM generate_series(1, 5000) g`);
    assert.equal(await restoreDeferredIndexes(db, schema.name), 4);
    assert.deepEqual(await secondary(), ALL);
    assert.equal(await remembered(), undefined, 'the bookkeeping table is gone');
    assert.equal(await restoreDeferredIndexes(db, schema.name), 0, 'a second call does nothing');
  });

  it('defers the primary key of an append-only table, and a duplicate fails its build', async () => {
    const keyOfNotes = async (): Promise<string[]> => {
      const { rows } = await db.raw<{ rows: Array<{ name: string }> }>(
        `SELECT conname AS name FROM pg_constraint WHERE conrelid = 'notes'::regclass AND contype = 'p'`,
      );
      return rows.map((row) => row.name);
    };
    assert.equal(await deferSecondaryIndexes(db, schema.name, TABLES, ['notes']), 5);
    assert.deepEqual(await keyOfNotes(), []);
    await db.raw(`INSERT INTO notes VALUES (1, 1, 'a'), (1, 2, 'b')`);
    await assert.rejects(restoreDeferredIndexes(db, schema.name), /could not create unique index/);
    await db.raw(`DELETE FROM notes WHERE item = 2`);
    await restoreDeferredIndexes(db, schema.name);
    assert.deepEqual(await keyOfNotes(), ['notes_pkey']);
    assert.deepEqual(await secondary(), ALL);
  });

  it('after a crash part-way, the rerun builds only the ones still missing', async () => {
    await deferSecondaryIndexes(db, schema.name, TABLES);
    // What a crash after the first build's commit leaves: that index, and its row gone.
    const { rows } = await db.raw<{ rows: Array<{ definition: string }> }>(
      `SELECT definition FROM rebuild_deferred_indexes WHERE name = 'notes_body_idx'`,
    );
    await db.raw(rows[0]?.definition ?? 'SELECT 1/0');
    await db.raw(`DELETE FROM rebuild_deferred_indexes WHERE name = 'notes_body_idx'`);
    assert.equal(await restoreDeferredIndexes(db, schema.name), 3);
    assert.deepEqual(await secondary(), ALL);
    assert.equal(await remembered(), undefined);
  });

  it('a build that fails leaves it, and only what is unbuilt, to the rerun', async () => {
    await deferSecondaryIndexes(db, schema.name, TABLES);
    // Data the unique constraint refuses.
    await db.raw(`INSERT INTO items VALUES (1, 'same', 'a'), (2, 'same', 'b')`);
    await assert.rejects(restoreDeferredIndexes(db, schema.name), /could not create unique index/);
    const left = await remembered();
    assert.ok(left?.includes('items_code_key'), 'the failed one is still remembered');
    const built = await secondary();
    assert.deepEqual([...built, ...(left ?? [])].sort(), ALL, 'each index is built or remembered');
    await db.raw(`DELETE FROM items WHERE id = 2`);
    await restoreDeferredIndexes(db, schema.name);
    assert.deepEqual(await secondary(), ALL);
    assert.equal(await remembered(), undefined);
  });
});
