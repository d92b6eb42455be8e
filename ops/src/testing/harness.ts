import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PostgresEventStore } from '@bank/event-store';
import { migrateReadModels, VIEW_TABLES } from '@bank/read-models';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import knexFactory, { type Knex } from 'knex';

/** The compiled CLI, run as operators run it. */
export const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `bank <args>` as a child process with `env` added to this process's environment. */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A test schema with an event store and migrated read models. */
export interface OpsFixture {
  readonly schema: TestSchema;
  readonly store: PostgresEventStore;
  readonly db: Knex;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export async function createOpsFixture(prefix: string): Promise<OpsFixture> {
  const schema = await createTestSchema(prefix);
  const store = new PostgresEventStore(schema.url);
  await store.migrate();
  const db = knexFactory({ client: 'pg', connection: schema.url, pool: { min: 0, max: 4 } });
  await migrateReadModels(db);
  return {
    schema,
    store,
    db,
    env: { DATABASE_URL: schema.url },
    async close() {
      await store.close();
      await db.raw(`DROP SCHEMA IF EXISTS "${schema.name}_rebuild" CASCADE`).catch(() => undefined);
      await db.raw(`DROP SCHEMA IF EXISTS "${schema.name}_old" CASCADE`).catch(() => undefined);
      await db.destroy();
      await schema.drop();
    },
  };
}

/** A fingerprint of every view table, to compare two builds of the read models. */
export async function viewFingerprint(db: Knex): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of VIEW_TABLES) {
    const result = await db.raw<{ rows: Array<{ n: string; hash: string | null }> }>(
      `SELECT count(*)::text AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS hash FROM "${table}" t`,
    );
    out[table] = `${result.rows[0]?.n}:${result.rows[0]?.hash ?? ''}`;
  }
  return out;
}
