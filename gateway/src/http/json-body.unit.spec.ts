import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseJsonBody, repeatedKey } from './json-body.js';
import { HttpProblem } from './problem.js';

const refused = (text: string, detail: RegExp) =>
  assert.throws(
    () => parseJsonBody(text),
    (error: unknown) =>
      error instanceof HttpProblem &&
      error.status === 400 &&
      error.code === 'VALIDATION_FAILED' &&
      detail.test(error.message),
  );

describe('JSON bodies', () => {
  it('parses plain JSON', () => {
    assert.deepEqual(parseJsonBody('{"amount":"1.00","a":[{"b":1},{"b":2}]}'), {
      amount: '1.00',
      a: [{ b: 1 }, { b: 2 }],
    });
  });

  it('refuses a key given twice in one object, at any depth', () => {
    refused('{"amount":"1.00","amount":"2.00"}', /"amount" more than once/);
    refused('{"a":{"x":1,"y":2,"x":3}}', /"x" more than once/);
    refused('[{"k":1},{"k":2,"k":3}]', /"k" more than once/);
    // The same key written two ways is the same key.
    refused('{"amount":"1.00","\\u0061mount":"2.00"}', /"amount" more than once/);
  });

  it('does not take strings that are values, or keys of other objects, for repeats', () => {
    assert.equal(repeatedKey('{"a":"a","b":{"a":1},"c":["a","a"],"d":"x,\\"a\\":"}'), undefined);
    assert.equal(repeatedKey('{"a":{"b":1},"b":2}'), undefined);
    assert.equal(repeatedKey('[{"a":1},{"a":2}]'), undefined);
  });

  it('names prototype keys as such, not as broken JSON', () => {
    refused('{"__proto__":{"x":1}}', /forbidden property name/);
    refused('{"constructor":{"prototype":{"x":1}}}', /forbidden property name/);
  });

  it('refuses empty and malformed bodies', () => {
    refused('', /empty/);
    refused('  ', /empty/);
    refused('{"amount":', /not valid JSON/);
    refused('{amount:1}', /not valid JSON/);
  });
});
