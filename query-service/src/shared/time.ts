/** pg returns timestamptz as Date; the wire carries RFC 3339 UTC strings. */
export function isoTimestamp(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** True when y-m-d is a real calendar day (rejects 2023-02-29, 2024-13-01, ...). */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

export interface Instant {
  /** The caller's text, handed to PostgreSQL as is so that microseconds survive. */
  readonly text: string;
  /** Milliseconds since the epoch, for comparisons here. */
  readonly ms: number;
}

/** Parses an RFC 3339 timestamp with an explicit offset, or returns undefined when malformed. */
export function parseRfc3339(value: string): Instant | undefined {
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = match[9] === undefined ? 0 : Number(match[9]);
  const offsetMinutes = match[10] === undefined ? 0 : Number(match[10]);
  if (!isCalendarDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const ms = Date.parse(value.toUpperCase());
  if (Number.isNaN(ms)) return undefined;
  return { text: value, ms };
}
