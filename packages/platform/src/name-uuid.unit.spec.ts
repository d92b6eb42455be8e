import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nameUuid, tupleName, tupleUuid } from './name-uuid.js';

const NS = '0b7d6c0e-5f3a-4c59-9a53-2f1b8d4e6a10';
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('name-based UUIDs', () => {
  it('match the RFC 9562 version 5 test vector', () => {
    // uuid v5 of "www.example.com" in the DNS namespace, as every v5 implementation computes it.
    assert.equal(
      nameUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'),
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    assert.match(tupleUuid(NS, ['a', 'b']), UUID_V5);
  });

  it('length-prefix every part of a tuple', () => {
    assert.equal(tupleName(['P', 'x:k']).toString(), '1:P3:x:k');
    assert.equal(tupleName(['P:x', 'k']).toString(), '3:P:x1:k');
    assert.equal(tupleName(['é', '']).toString(), '2:é0:');
  });

  it('give tuples that join to the same string different ids', () => {
    for (const separator of [':', '/', '\u0000', '|', ',', ' ', '1:']) {
      assert.notEqual(
        tupleUuid(NS, ['P', `x${separator}k`]),
        tupleUuid(NS, [`P${separator}x`, 'k']),
        JSON.stringify(separator),
      );
    }
    assert.notEqual(tupleUuid(NS, ['a', 'b']), tupleUuid(NS, ['ab']));
    assert.notEqual(tupleUuid(NS, ['a', '']), tupleUuid(NS, ['a']));
  });

  it('never give two different tuples the same name', () => {
    const tuple = fc.array(fc.string({ unit: 'binary' }), { maxLength: 4 });
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        const same = a.length === b.length && a.every((part, i) => part === b[i]);
        return same === tupleName(a).equals(tupleName(b));
      }),
      { numRuns: 2000 },
    );
    // The hard cases: one string cut in two at different places.
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(), fc.nat(), (s, i, j) => {
        const [x, y] = [i % (s.length + 1), j % (s.length + 1)];
        fc.pre(x !== y);
        const cut = (at: number) => tupleName([s.slice(0, at), s.slice(at)]);
        return !cut(x).equals(cut(y));
      }),
      { numRuns: 2000 },
    );
  });
});
