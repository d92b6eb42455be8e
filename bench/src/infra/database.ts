import { createTestSchema, testDatabaseUrl, type TestSchema } from '@bank/testkit';

/** The PostgreSQL server (DATABASE_URL, else 127.0.0.1:5432/test). */
export const databaseUrl = (): string => testDatabaseUrl();

/** A fresh schema for one part of the run (`bench_<part>_...`); dropped by its owner. */
export function createBenchSchema(part: string): Promise<TestSchema> {
  return createTestSchema(`bench_${part}`);
}

export type { TestSchema };
