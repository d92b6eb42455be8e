import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError } from '@bank/platform';
import { parseStatementPeriod } from '../statements/statement-period.js';
import { statementTotals } from '../statements/statement-totals.js';
import { parseConsistencyToken, visibleTo } from './read-options.js';
import { parseRfc3339 } from './time.js';
import { requireUuid } from './validation.js';

const isValidation = (error: unknown) =>
  error instanceof AppError && error.category === 'validation';

describe('RFC 3339 timestamps', () => {
  it('accepts UTC and offsets, with or without fractions', () => {
    assert.equal(parseRfc3339('2024-02-29T23:59:59Z')?.ms, Date.UTC(2024, 1, 29, 23, 59, 59));
    assert.equal(
      parseRfc3339('2024-03-01T01:00:00.5+01:00')?.ms,
      Date.UTC(2024, 2, 1, 0, 0, 0, 500),
    );
    assert.equal(parseRfc3339('2024-03-01t00:00:00.123456z')?.text, '2024-03-01t00:00:00.123456z');
  });
  it('rejects dates alone, impossible days and missing offsets', () => {
    for (const text of [
      '2024-03-01',
      '2023-02-29T00:00:00Z',
      '2024-03-01T24:00:00Z',
      '2024-03-01T00:00:00',
      'now',
    ]) {
      assert.equal(parseRfc3339(text), undefined, text);
    }
  });
});

describe('statement period', () => {
  it('spans whole UTC days, to inclusive', () => {
    const period = parseStatementPeriod('2024-02-28', '2024-03-01');
    assert.equal(period.startsAt, '2024-02-28T00:00:00.000Z');
    assert.equal(period.endsBefore, '2024-03-02T00:00:00.000Z');
  });
  it('accepts a single day and a leap year, rejects inverted and over-long ranges', () => {
    assert.doesNotThrow(() => parseStatementPeriod('2024-03-01', '2024-03-01'));
    assert.doesNotThrow(() => parseStatementPeriod('2024-01-01', '2024-12-31'));
    assert.throws(() => parseStatementPeriod('2024-03-02', '2024-03-01'), isValidation);
    assert.throws(() => parseStatementPeriod('2024-01-01', '2025-01-01'), isValidation);
    assert.throws(() => parseStatementPeriod('2024-13-01', '2024-13-02'), isValidation);
  });
});

describe('statement totals', () => {
  it("adds in bigint and closes on the ledger's last balance", () => {
    const totals = statementTotals(10n, [
      { amount: '9007199254740993', balance_after: '9007199254741003' },
      { amount: '-3', balance_after: '9007199254741000' },
    ]);
    assert.deepEqual(totals, {
      opening: 10n,
      closing: 9007199254741000n,
      totalIn: 9007199254740993n,
      totalOut: 3n,
      balanced: true,
    });
    assert.equal(statementTotals(5n, []).closing, 5n);
    assert.equal(statementTotals(0n, [{ amount: '5', balance_after: '6' }]).balanced, false);
  });
});

describe('read options', () => {
  it('parses consistency tokens as int64 positions', () => {
    assert.equal(parseConsistencyToken(''), undefined);
    assert.equal(parseConsistencyToken('0'), 0n);
    assert.equal(parseConsistencyToken('9223372036854775807'), 2n ** 63n - 1n);
    for (const token of ['-1', '1e3', '0x10', '9223372036854775808', '1 ']) {
      assert.throws(() => parseConsistencyToken(token), isValidation, token);
    }
  });
  it('restricts to an owner of any of the parties', () => {
    assert.equal(visibleTo(undefined, 'a'), true);
    assert.equal(visibleTo('a', 'b', 'a'), true);
    assert.equal(visibleTo('a', null, 'b'), false);
  });
  it('requires canonical UUIDs', () => {
    assert.equal(
      requireUuid('0190A0B2-0000-7000-8000-000000000001', 'id'),
      '0190a0b2-0000-7000-8000-000000000001',
    );
    assert.throws(() => requireUuid('0190a0b2000070008000000000000001', 'id'), isValidation);
  });
});
