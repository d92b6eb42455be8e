import { validationError } from '@bank/platform';

export { requireUuid } from '@bank/platform';

/** Owner ids are the identity provider's subject: opaque text, bounded so that logs and indexes stay sane. */
export const MAX_OWNER_ID_LENGTH = 255;

export function requireOwnerId(value: string, field: string): string {
  if (value.length === 0) throw validationError(`${field} is required`, field);
  if (value.length > MAX_OWNER_ID_LENGTH) {
    throw validationError(`${field} must be at most ${MAX_OWNER_ID_LENGTH} characters`, field);
  }
  return value;
}
