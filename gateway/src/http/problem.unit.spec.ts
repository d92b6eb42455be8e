import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AMOUNT_PATTERN, LIMIT_PATTERN } from '../schemas/shared.js';
import { toProblem } from './problem.js';

const context = { instance: '/v1/x', hideNotFoundDetail: false };
const invalid = (entry: object, where: string) =>
  toProblem({ statusCode: 400, validation: [entry], validationContext: where }, context).body;

describe('validation problems', () => {
  it('states the rule behind a pattern, not the pattern', () => {
    const amount = invalid(
      { instancePath: '/amount', keyword: 'pattern', params: { pattern: AMOUNT_PATTERN } },
      'body',
    );
    assert.equal(amount.field, 'amount');
    assert.equal(amount.code, 'VALIDATION_FAILED');
    assert.match(amount.detail ?? '', /^body\.amount must be a positive decimal string/);
    assert.doesNotMatch(amount.detail ?? '', /\^/);
    const limit = invalid(
      { instancePath: '/limit', keyword: 'pattern', params: { pattern: LIMIT_PATTERN } },
      'querystring',
    );
    assert.equal(limit.detail, 'querystring.limit must be a whole number between 1 and 200');
    assert.equal(limit.field, 'limit');
  });

  it('lists the allowed values of an enum, currencies as upper-case codes', () => {
    const currency = invalid(
      { instancePath: '/currency', keyword: 'enum', params: { allowedValues: ['USD', 'EUR'] } },
      'body',
    );
    assert.equal(
      currency.detail,
      'body.currency must be one of USD, EUR (ISO 4217 codes, upper case)',
    );
    const type = invalid(
      {
        instancePath: '/type',
        keyword: 'enum',
        params: { allowedValues: ['checking', 'savings'] },
      },
      'body',
    );
    assert.equal(type.detail, 'body.type must be one of checking, savings');
    assert.equal(type.field, 'type');
  });
});
