import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { entityIdFor, eventIdFor } from './name-uuid.js';

describe('derived ids', () => {
  it('are stable for the same inputs and different across them', () => {
    assert.equal(eventIdFor('c1', 'account-a', 0), eventIdFor('c1', 'account-a', 0));
    assert.notEqual(eventIdFor('c1', 'account-a', 0), eventIdFor('c1', 'account-a', 1));
    assert.notEqual(eventIdFor('c1', 'account-a', 0), eventIdFor('c1', 'account-b', 0));
    assert.notEqual(entityIdFor('account', 'c1'), entityIdFor('transfer', 'c1'));
  });

  it('give commands whose parts join to the same string different event ids', () => {
    assert.notEqual(eventIdFor('a/b', 'c', 0), eventIdFor('a', 'b/c', 0));
    assert.notEqual(eventIdFor('a', 'b/1', 0), eventIdFor('a/b', '1', 0));
    assert.notEqual(eventIdFor('c', 's', 10), eventIdFor('c', 's/1', 0));
  });

  it('keep the account, hold and transfer ids of commands already stored', () => {
    // Values the service derived before event ids became tuples: a retried open must find them.
    assert.equal(entityIdFor('account', 'open-retried'), 'd0d1bb3f-be41-58cb-8cb1-0b2629b2ac18');
  });
});
