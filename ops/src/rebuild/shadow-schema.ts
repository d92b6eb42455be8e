import { migrateReadModels, readCheckpoint } from '@bank/read-models';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { BusyError, UsageError } from '../cli/exit-codes.js';
import { ident, type ProjectionName } from './projections.js';

/**
 * The rebuild's workspace: a schema beside the live one (`<live>_rebuild`) holding a full set of
 * read-model tables, migrated by the same migrations, and the rebuild's own checkpoint in its
 * `projection_checkpoints`: a rerun after a crash continues from there.
 */
export interface ShadowSchema {
  readonly live: string;
  readonly shadow: string;
  readonly checkpointName: string;
}

export function rebuildCheckpointName(projection: ProjectionName): string {
  return `rebuild:${projection}`;
}

export async function liveSchemaOf(db: Knex): Promise<string> {
  const result = await db.raw<{ rows: Array<{ schema: string | null }> }>(
    'SELECT current_schema() AS schema',
  );
  const schema = result.rows[0]?.schema;
  if (!schema)
    throw new UsageError('the connection has no current schema: set search_path in DATABASE_URL');
  return schema;
}

export function shadowNameOf(live: string): string {
  const name = `${live}_rebuild`;
  if (name.length > 63)
    throw new UsageError(`schema name ${live} is too long for a shadow schema (${name})`);
  return name;
}

/**
 * Creates and migrates the shadow schema if needed and returns where the rebuild stands: the
 * position it has applied up to (0n for a fresh start). A shadow left by a rebuild of another
 * projection is refused unless `restart` (which drops it).
 */
export async function prepareShadow(
  db: Knex,
  databaseUrl: string,
  projection: ProjectionName,
  restart: boolean,
): Promise<{ schema: ShadowSchema; resumeAfter: bigint }> {
  const live = await liveSchemaOf(db);
  const shadow = shadowNameOf(live);
  const schema: ShadowSchema = { live, shadow, checkpointName: rebuildCheckpointName(projection) };
  if (restart) await db.raw(`DROP SCHEMA IF EXISTS ${ident(shadow)} CASCADE`);
  await db.raw(`CREATE SCHEMA IF NOT EXISTS ${ident(shadow)}`);
  const shadowDb = shadowKnex(databaseUrl, shadow);
  try {
    await migrateReadModels(shadowDb);
    const others = await shadowDb('projection_checkpoints')
      .where('name', 'like', 'rebuild:%')
      .whereNot('name', schema.checkpointName)
      // The checkpoints of this rebuild's parts (see FoldParts).
      .whereRaw('NOT starts_with(name, ?)', [`${schema.checkpointName}/`])
      .pluck<string[]>('name');
    if (others.length > 0) {
      throw new UsageError(
        `${shadow} holds an unfinished rebuild (${others.join(', ')}); rerun that rebuild to finish it, or pass --restart to drop it`,
      );
    }
    const resumeAfter = (await readCheckpoint(shadowDb, schema.checkpointName)) ?? 0n;
    return { schema, resumeAfter };
  } finally {
    await shadowDb.destroy();
  }
}

/** Drops the shadow schema (after a swap, or to abandon a rebuild). */
export async function dropShadow(db: Knex, shadow: string): Promise<void> {
  await db.raw(`DROP SCHEMA IF EXISTS ${ident(shadow)} CASCADE`);
}

/** A knex whose unqualified table names are the shadow schema's. */
export function shadowKnex(databaseUrl: string, shadow: string): Knex {
  return knexFactory({
    client: 'pg',
    connection: databaseUrl,
    searchPath: [shadow],
    pool: { min: 0, max: 1 },
  });
}

/**
 * One rebuild per live schema at a time: a session advisory lock on a connection of its own,
 * held until `release` (or until the process dies: PostgreSQL then drops it with the session).
 */
export async function acquireRebuildLock(
  databaseUrl: string,
  live: string,
): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  const result = await client.query<{ locked: boolean }>(
    `SELECT pg_try_advisory_lock(hashtext('bank-rebuild'), hashtext($1)) AS locked`,
    [live],
  );
  if (!result.rows[0]?.locked) {
    await client.end();
    throw new BusyError(`another rebuild of schema ${live} is running`);
  }
  return {
    async release() {
      await client.end().catch(() => undefined);
    },
  };
}
