import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { canonicalJson, commandIdFor, requestHash, uuidV5 } from './keys.js';

describe('idempotency keys', () => {
  it('uuidV5 matches the RFC 9562 name-based algorithm', () => {
    // Known vector: DNS namespace, "www.example.com".
    assert.equal(
      uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('derives the command id from principal and key only', () => {
    assert.equal(commandIdFor('alice', 'k1'), commandIdFor('alice', 'k1'));
    assert.notEqual(commandIdFor('alice', 'k1'), commandIdFor('bob', 'k1'));
    assert.match(
      commandIdFor('alice', 'k1'),
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
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
