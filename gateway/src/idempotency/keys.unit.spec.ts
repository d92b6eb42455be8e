import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { canonicalJson, commandIdFor, requestHash } from './keys.js';

describe('idempotency keys', () => {
  it('derives the command id from principal and key only', () => {
    assert.equal(commandIdFor('alice', 'k1'), commandIdFor('alice', 'k1'));
    assert.notEqual(commandIdFor('alice', 'k1'), commandIdFor('bob', 'k1'));
    assert.match(
      commandIdFor('alice', 'k1'),
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('is the documented tuple encoding (the fault suite checks against the same vector)', () => {
    assert.equal(commandIdFor('tina', 'k1'), 'c3c6f38b-c6f2-5900-9be6-6fc978cd9ca8');
  });

  it('gives principals and keys that join to the same string different command ids', () => {
    assert.notEqual(commandIdFor('P', 'x:k'), commandIdFor('P:x', 'k'));
    assert.notEqual(commandIdFor('a', '1:b'), commandIdFor('a1', ':b'));
    assert.notEqual(commandIdFor('P', 'x|k'), commandIdFor('P|x', 'k'));
  });

  it('hashes the same request alike whatever the key order, and different requests apart', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } }),
      '{"a":{"c":"x","d":[1,2]},"b":1}',
    );
    const a = requestHash('POST', '/v1/transfers', { amount: '1.00', fromAccountId: 'x' });
    assert.equal(a, requestHash('post', '/v1/transfers', { fromAccountId: 'x', amount: '1.00' }));
    assert.notEqual(
      a,
      requestHash('POST', '/v1/transfers', { fromAccountId: 'x', amount: '1.01' }),
    );
    assert.notEqual(a, requestHash('POST', '/v1/other', { fromAccountId: 'x', amount: '1.00' }));
    assert.equal(requestHash('POST', '/p', undefined), requestHash('POST', '/p', {}));
  });
});
