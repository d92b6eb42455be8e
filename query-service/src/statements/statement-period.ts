import { validationError } from '@bank/platform';
import { isCalendarDay } from '../shared/time.js';

/** A statement covers at most a (leap) year: its entries travel in one reply. */
export const MAX_STATEMENT_DAYS = 366;

export interface StatementPeriod {
  readonly from: string;
  readonly to: string;
  /** Start of `from` (UTC), inclusive. */
  readonly startsAt: string;
  /** Start of the day after `to` (UTC), exclusive. */
  readonly endsBefore: string;
}

const DAY_MS = 86_400_000;

export function parseStatementPeriod(from: string, to: string): StatementPeriod {
  const fromMs = parseDay(from, 'from');
  const toMs = parseDay(to, 'to');
  if (fromMs > toMs) throw validationError('from must not be after to', 'from');
  const days = (toMs - fromMs) / DAY_MS + 1;
  if (days > MAX_STATEMENT_DAYS) {
    throw validationError(`a statement covers at most ${MAX_STATEMENT_DAYS} days`, 'to');
  }
  return {
    from,
    to,
    startsAt: new Date(fromMs).toISOString(),
    endsBefore: new Date(toMs + DAY_MS).toISOString(),
  };
}

function parseDay(value: string, field: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const [year, month, day] = (match?.slice(1, 4) ?? []).map(Number);
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    !isCalendarDay(year, month, day)
  ) {
    throw validationError(`${field} must be a date as YYYY-MM-DD`, field);
  }
  return Date.UTC(year, month - 1, day);
}
