import { validationError } from '@bank/platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A resource id must be a UUID: anything else is the caller's mistake, not a miss. */
export function requireUuid(value: string, field: string): string {
  if (!UUID.test(value)) throw validationError(`${field} must be a UUID`, field);
  return value.toLowerCase();
}

/** Owner ids are the identity provider's subject: opaque text, bounded so that logs and indexes stay sane. */
export const MAX_OWNER_ID_LENGTH = 255;

export function requireOwnerId(value: string, field: string): string {
  if (value.length === 0) throw validationError(`${field} is required`, field);
  if (value.length > MAX_OWNER_ID_LENGTH) {
    throw validationError(`${field} must be at most ${MAX_OWNER_ID_LENGTH} characters`, field);
  }
  return value;
}
