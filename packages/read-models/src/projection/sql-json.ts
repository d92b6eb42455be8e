import type { Knex } from 'knex';
import pg from 'pg';

/**
 * Rows travel to PostgreSQL as one JSON parameter, unpacked there with jsonb_to_recordset or
 * jsonb_array_elements_text: one round trip and one statement per table, however many rows, and no
 * parameter-count limit. bigint becomes a JSON string, which PostgreSQL reads back exactly as int8.
 */
export function toJsonParam(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** A timestamptz or date value from pg as an ISO-8601 string. */
export function isoOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return new Date(value).toISOString();
  throw new TypeError(`not a timestamp: ${String(value)}`);
}

export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : isoOf(value);
}

/** One SQL statement with `?` placeholders and its values (text or NULL: rows travel as JSON). */
export interface SqlStatement {
  readonly sql: string;
  readonly bindings: ReadonlyArray<string | null>;
}

/** Runs statements one by one in the caller's transaction: one round trip each. */
export async function runStatements(
  db: Knex | Knex.Transaction,
  statements: readonly SqlStatement[],
): Promise<Array<{ rows: Record<string, unknown>[] }>> {
  const results: Array<{ rows: Record<string, unknown>[] }> = [];
  // One at a time: a transaction is one connection, and pg (from v9) refuses overlapping queries.
  for (const { sql, bindings } of statements)
    results.push(await db.raw<{ rows: Record<string, unknown>[] }>(sql, [...bindings]));
  return results;
}

/**
 * Renders statements as ONE simple-protocol query text, values inlined as literals (pg's
 * escapeLiteral): PostgreSQL runs them in order, each with its own snapshot, and answers them all
 * in one round trip. For a raw pg client only (knex would read `?` inside the literals as
 * placeholders).
 */
export function renderStatements(statements: readonly SqlStatement[]): string {
  return statements
    .map(({ sql, bindings }) => {
      const parts = sql.split('?');
      if (parts.length !== bindings.length + 1)
        throw new Error(
          `statement has ${parts.length - 1} placeholders for ${bindings.length} values`,
        );
      return parts
        .map((part, i) => (i === 0 ? part : `${literal(bindings[i - 1] ?? null)}${part}`))
        .join('');
    })
    .join(';\n');
}

function literal(value: string | null): string {
  return value === null ? 'NULL' : pg.escapeLiteral(value);
}
