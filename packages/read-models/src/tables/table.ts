import type { Knex } from 'knex';
import { toJsonParam, type SqlStatement } from '../projection/sql-json.js';

/** The PostgreSQL types of the view columns. */
export type ColumnType =
  'uuid' | 'text' | 'bigint' | 'numeric' | 'integer' | 'date' | 'timestamptz';

/**
 * A view table: its columns with their types, in the order of the row the fold builds, and for an
 * upserted table its conflict key and the columns an upsert overwrites (none: insert only).
 */
export interface Table<Row> {
  readonly name: string;
  readonly columns: { readonly [K in keyof Row]-?: ColumnType };
  readonly conflict?: readonly (keyof Row & string)[];
  readonly update?: readonly (keyof Row & string)[];
}

/**
 * A row as pg returns it: int8 and numeric as strings, timestamptz and date as Date (the
 * in-memory rows hold bigint and ISO-8601 strings there); other columns as in memory.
 */
export type StoredRow<Row, Columns extends { readonly [K in keyof Row]: ColumnType }> = {
  readonly [K in keyof Row]: Columns[K] extends 'timestamptz' | 'date'
    ? Date | (null extends Row[K] ? null : never)
    : Columns[K] extends 'bigint' | 'numeric'
      ? string
      : Row[K];
};

/** The table's column names, in order. */
export function columnNames<Row>(table: Table<Row>): Array<keyof Row & string> {
  return Object.keys(table.columns) as Array<keyof Row & string>;
}

/** One multi-row insert (or upsert): the rows travel as one JSON parameter, picked by column name. */
export function insertStatement<Row>(table: Table<Row>, rows: readonly Row[]): SqlStatement {
  const names = columnNames(table).join(', ');
  const types = Object.entries(table.columns).map(([name, type]) => `${name} ${String(type)}`);
  const upsert =
    table.conflict === undefined
      ? ''
      : `\n     ON CONFLICT (${table.conflict.join(', ')}) DO UPDATE SET ${(table.update ?? [])
          .map((column) => `${column} = EXCLUDED.${column}`)
          .join(', ')}`;
  return {
    sql: `INSERT INTO ${table.name} (${names})
     SELECT ${names} FROM jsonb_to_recordset(?::jsonb) AS r(${types.join(', ')})${upsert}`,
    bindings: [toJsonParam(rows)],
  };
}

/** Rows by key: one statement whose one parameter is the keys as JSON; none when there are none. */
export async function loadRows<Key, Row>(
  db: Knex | Knex.Transaction,
  sql: string,
  keys: readonly Key[],
  parse: (rows: Record<string, unknown>[]) => Map<string, Row>,
): Promise<Map<string, Row>> {
  if (keys.length === 0) return new Map();
  const result = await db.raw<{ rows: Record<string, unknown>[] }>(sql, [toJsonParam(keys)]);
  return parse(result.rows);
}
