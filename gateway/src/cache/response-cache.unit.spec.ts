import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ifNoneMatchMatches, ResponseCache } from './response-cache.js';

describe('ResponseCache', () => {
  it('serves until the TTL, then forgets', () => {
    let now = 1000;
    const cache = new ResponseCache({ ttlMs: 100, maxEntries: 10, now: () => now });
    const stored = cache.set('k', { a: 1 }, ['account:1']);
    assert.deepEqual(cache.get('k'), { ...stored, tags: ['account:1'], stamp: '' });
    now += 100;
    assert.equal(cache.get('k'), undefined);
  });

  it('invalidates every entry of a tag, for every principal', () => {
    const cache = new ResponseCache({ ttlMs: 10_000, maxEntries: 10 });
    cache.set('alice|/a/1', 1, ['account:1']);
    cache.set('teller|/a/1', 1, ['account:1']);
    cache.set('alice|/a/2', 2, ['account:2']);
    cache.invalidate(['account:1']);
    assert.equal(cache.get('alice|/a/1'), undefined);
    assert.equal(cache.get('teller|/a/1'), undefined);
    assert.notEqual(cache.get('alice|/a/2'), undefined);
  });

  it('stays within maxEntries, evicting the oldest', () => {
    const cache = new ResponseCache({ ttlMs: 10_000, maxEntries: 2 });
    cache.set('a', 1, []);
    cache.set('b', 2, []);
    cache.set('c', 3, []);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a'), undefined);
  });

  it('gives equal bodies equal ETags and matches If-None-Match lists', () => {
    const cache = new ResponseCache({ ttlMs: 0, maxEntries: 2 });
    const { etag } = cache.set('a', { x: '1.00' }, []);
    assert.equal(cache.set('b', { x: '1.00' }, []).etag, etag);
    assert.notEqual(cache.set('c', { x: '1.01' }, []).etag, etag);
    assert.equal(ifNoneMatchMatches(`"other", W/${etag}`, etag), true);
    assert.equal(ifNoneMatchMatches('"other"', etag), false);
    assert.equal(ifNoneMatchMatches(undefined, etag), false);
  });
});
