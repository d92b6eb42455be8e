import pg from 'pg';
import { createTestSchema, testDatabaseUrl, type TestSchema } from '@bank/testkit';

/** The PostgreSQL server (DATABASE_URL, else 127.0.0.1:5432/test). */
export const databaseUrl = (): string => testDatabaseUrl();

/** A fresh schema for one part of the run (`bench_<part>_...`); dropped by its owner. */
export function createBenchSchema(part: string): Promise<TestSchema> {
  return createTestSchema(`bench_${part}`);
}

export type { TestSchema };

/** Drops a bench schema and the `<schema>_rebuild` shadow a `bank rebuild` may have left. */
export async function dropBenchSchema(schema: TestSchema): Promise<void> {
  await schema.drop();
  const admin = new pg.Client({ connectionString: databaseUrl() });
  await admin.connect();
  await admin
    .query(`DROP SCHEMA IF EXISTS "${schema.name}_rebuild" CASCADE`)
    .finally(() => admin.end());
}
