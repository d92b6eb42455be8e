import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { eventIdFor, nameUuid } from './name-uuid.js';

describe('nameUuid', () => {
  it('matches the RFC 9562 version 5 test vector', () => {
    // uuid v5 of "www.example.com" in the DNS namespace, as every v5 implementation computes it.
    assert.equal(
      nameUuid('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('is stable for a name and different across names', () => {
    assert.equal(eventIdFor('c1', 'account-a', 0), eventIdFor('c1', 'account-a', 0));
    assert.notEqual(eventIdFor('c1', 'account-a', 0), eventIdFor('c1', 'account-a', 1));
    assert.notEqual(eventIdFor('c1', 'account-a', 0), eventIdFor('c1', 'account-b', 0));
    assert.match(
      nameUuid('x'),
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
