import { validationError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A required UUID field of a request, lower-cased so that one id never names two streams or
 * rows. Anything else is INVALID_ARGUMENT naming the field: the caller's mistake, not a miss.
 */
export function requireUuid(value: string, field: string): string {
  if (value === '') throw validationError(`${field} is required`, field);
  if (!UUID.test(value)) throw validationError(`${field} must be a UUID`, field);
  return value.toLowerCase();
}
