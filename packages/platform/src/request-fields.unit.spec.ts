import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError } from './errors.js';
import { requireUuid } from './request-fields.js';

describe('requireUuid', () => {
  const invalid = (message: RegExp) => (error: unknown) =>
    error instanceof AppError &&
    error.category === 'validation' &&
    error.details.field === 'account_id' &&
    message.test(error.message);

  it('lower-cases a UUID', () => {
    assert.equal(
      requireUuid('0190A0B2-0000-7000-8000-00000000000A', 'account_id'),
      '0190a0b2-0000-7000-8000-00000000000a',
    );
  });

  it('names the field of a missing or malformed id', () => {
    assert.throws(() => requireUuid('', 'account_id'), invalid(/is required/));
    assert.throws(
      () => requireUuid('0190a0b2000070008000000000000001', 'account_id'),
      invalid(/UUID/),
    );
    assert.throws(
      () => requireUuid(' 0190a0b2-0000-7000-8000-000000000001', 'account_id'),
      invalid(/UUID/),
    );
  });
});
