import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server the tests use: DATABASE_URL, else the machine's local server. */
export function testDatabaseUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export interface TestSchema {
  /** Schema name, unique to this test file run. */
  readonly name: string;
  /** Connection string whose search_path is the schema, for code under test. */
  readonly url: string;
  /** A pool bound to the schema, for the test's own assertions. */
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * Creates a fresh schema so that a test file never sees another file's rows.
 * Code under test connects with `url`, which pins `search_path` to the schema.
 */
export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  const base = testDatabaseUrl();
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${redact(base)}: ${(error as Error).message}. ` +
        'Start it or set DATABASE_URL.',
    );
  }
  try {
    await admin.query(`CREATE SCHEMA "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withSearchPath(base, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Adds `options=-c search_path=<schema>` to a connection string. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
