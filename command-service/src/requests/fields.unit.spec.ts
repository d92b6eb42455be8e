import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError } from '@bank/platform';
import {
  optionalInstant,
  optionalLimit,
  requireAmount,
  requireCurrency,
  requireUuid,
} from './fields.js';

const invalid = (field: string) => (error: unknown) =>
  error instanceof AppError && error.category === 'validation' && error.details.field === field;

describe('request fields', () => {
  it('parses amounts exactly in the currency of the account', () => {
    assert.equal(requireAmount('12.34', 'USD'), 1234n);
    assert.equal(requireAmount('12', 'USD'), 1200n);
    assert.equal(requireAmount('1000', 'JPY'), 1000n);
    assert.equal(requireAmount('0.001', 'KWD'), 1n);
    assert.equal(requireAmount('10000000000000.00', 'USD'), 1_000_000_000_000_000n);
  });

  for (const bad of [
    '',
    '-1',
    '0',
    '0.00',
    '1.234',
    '1e3',
    '12.',
    '.5',
    ' 1',
    '01',
    '+1',
    '1,00',
    '10000000000000.01',
    '9'.repeat(40),
    'NaN',
  ]) {
    it(`refuses the amount ${JSON.stringify(bad)}`, () => {
      assert.throws(() => requireAmount(bad, 'USD'), invalid('amount'));
    });
  }

  it('says how an amount must look for the currency', () => {
    assert.throws(
      () => requireAmount('1.234', 'USD'),
      (error: unknown) =>
        error instanceof AppError &&
        error.message ===
          'amount must be a positive decimal string with at most 2 decimals for USD',
    );
    assert.throws(
      () => requireAmount('-1', 'JPY'),
      (error: unknown) =>
        error instanceof AppError &&
        error.message === 'amount must be a positive decimal string with no decimals for JPY',
    );
  });

  it('refuses decimals on a currency without minor units', () => {
    assert.throws(() => requireAmount('1.5', 'JPY'), invalid('amount'));
  });

  it('allows a zero limit and defaults an empty one to zero', () => {
    assert.equal(optionalLimit('', 'USD', 'overdraft_limit'), 0n);
    assert.equal(optionalLimit('0', 'USD', 'overdraft_limit'), 0n);
    assert.throws(() => optionalLimit('-5', 'USD', 'overdraft_limit'), invalid('overdraft_limit'));
  });

  it('checks currencies, UUIDs and instants', () => {
    assert.equal(requireCurrency('EUR'), 'EUR');
    assert.throws(() => requireCurrency('XXX'), invalid('currency'));
    assert.throws(() => requireCurrency('usd'), invalid('currency'));
    assert.equal(
      requireUuid('6BA7B810-9DAD-11D1-80B4-00C04FD430C8', 'id'),
      '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    );
    assert.throws(() => requireUuid('not-a-uuid', 'account_id'), invalid('account_id'));
    assert.throws(() => requireUuid('', 'account_id'), invalid('account_id'));
    assert.equal(
      optionalInstant('2030-01-01T10:00:00+02:00', 'expires_at'),
      '2030-01-01T08:00:00.000Z',
    );
    assert.equal(optionalInstant('', 'expires_at'), undefined);
    assert.throws(() => optionalInstant('tomorrow', 'expires_at'), invalid('expires_at'));
  });
});
