import {
  CURRENCY_EXPONENTS,
  isCurrency,
  MAX_AMOUNT_MINOR,
  parseAmount,
  type Currency,
} from '@bank/domain';
import { requireUuid, validationError } from '@bank/platform';

/**
 * Field checks shared by every RPC. Each failure is INVALID_ARGUMENT naming the field, raised
 * before anything is loaded or appended.
 */

export { requireUuid };

/** An optional UUID: empty means "derive it" and gives undefined. */
export function optionalUuid(value: string, field: string): string | undefined {
  return value === '' ? undefined : requireUuid(value, field);
}

export function optionalText(value: string, field: string, maxLength: number): string {
  if (value.length > maxLength)
    throw validationError(`${field} is longer than ${maxLength} characters`, field);
  // Control characters have no business in ids or references and break logs and CSV exports.
  if (/\p{Cc}/u.test(value)) throw validationError(`${field} contains control characters`, field);
  return value;
}

export function requireCurrency(value: string, field = 'currency'): Currency {
  if (value === '') throw validationError(`${field} is required`, field);
  if (!isCurrency(value)) throw validationError(`unknown currency ${JSON.stringify(value)}`, field);
  return value;
}

/**
 * A positive decimal amount in `currency` ("12.34"). Signs, exponents, spaces, too many
 * decimals, zero and amounts above the maximum are all INVALID_ARGUMENT.
 */
export function requireAmount(value: string, currency: Currency, field = 'amount'): bigint {
  if (value === '') throw validationError(`${field} is required`, field);
  return amountOrThrow(value, currency, field, false);
}

/** A limit that may be zero ("0" when empty). */
export function optionalLimit(value: string, currency: Currency, field: string): bigint {
  if (value === '') return 0n;
  return amountOrThrow(value, currency, field, true);
}

function amountOrThrow(
  value: string,
  currency: Currency,
  field: string,
  allowZero: boolean,
): bigint {
  const parsed = parseAmount(value, currency, { allowZero, max: MAX_AMOUNT_MINOR });
  if (parsed.ok) return parsed.minor;
  if (parsed.error.kind === 'TOO_LARGE' || parsed.error.kind === 'UNKNOWN_CURRENCY')
    throw validationError(`${field}: ${parsed.error.message}`, field);
  const exponent = CURRENCY_EXPONENTS[currency];
  const decimals = exponent === 0 ? 'no decimals' : `at most ${exponent} decimals`;
  const kind = allowZero ? 'a decimal string, zero or more,' : 'a positive decimal string';
  throw validationError(`${field} must be ${kind} with ${decimals} for ${currency}`, field);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** An optional RFC 3339 instant, normalised to ISO UTC; undefined when empty. */
export function optionalInstant(value: string, field: string): string | undefined {
  if (value === '') return undefined;
  const ms = RFC3339.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw validationError(`${field} must be an RFC 3339 timestamp`, field);
  return new Date(ms).toISOString();
}
