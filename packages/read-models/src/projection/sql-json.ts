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
