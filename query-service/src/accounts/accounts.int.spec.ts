import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { grpc } from '@bank/platform';
import type { queryTypes } from '@bank/proto';
import { startHarness, type Harness } from '../testing/harness.js';
import { insertAccount } from '../testing/seed.js';

// Nested message types of @bank/proto resolve to any from its compiled .d.ts (see the report), so
// the shape is spelled out here.
const ids = (accounts: readonly queryTypes.Account__Output[]): string[] =>
  accounts.map((a) => a.accountId);

describe('GetAccount and ListAccounts', () => {
  let h: Harness;
  let alicesUsd: string;
  let alicesJpy: string;
  let bobs: string;

  before(async () => {
    h = await startHarness();
    const pool = h.schema.pool;
    alicesUsd = await insertAccount(pool, {
      ownerId: 'alice',
      balance: 123_456_789_012_345_678n, // beyond 2^53: must survive to the wire digit for digit
      held: 1_000n,
      overdraftLimit: 5_000n,
      openedAt: '2024-01-01T10:00:00.000Z',
    });
    alicesJpy = await insertAccount(pool, {
      ownerId: 'alice',
      currency: 'JPY',
      balance: 1_500n,
      openedAt: '2024-02-01T10:00:00.000Z',
    });
    bobs = await insertAccount(pool, { ownerId: 'bob', balance: -250n, overdraftLimit: 1_000n });
  });
  after(() => h.close());

  it('returns an account with amounts as exact decimal strings', async () => {
    const account = await h.client.call('GetAccount', { accountId: alicesUsd });
    assert.equal(account.accountId, alicesUsd);
    assert.equal(account.ownerId, 'alice');
    assert.equal(account.currency, 'USD');
    assert.equal(account.balance, '1234567890123456.78');
    assert.equal(account.held, '10.00');
    assert.equal(account.overdraftLimit, '50.00');
    assert.equal(account.available, '1234567890123496.78');
    assert.equal(account.revision, '1');
    assert.equal(account.openedAt, '2024-01-01T10:00:00.000Z');
  });

  it('formats by the currency exponent and keeps the sign', async () => {
    assert.equal((await h.client.call('GetAccount', { accountId: alicesJpy })).balance, '1500');
    assert.equal((await h.client.call('GetAccount', { accountId: bobs })).balance, '-2.50');
  });

  it('answers NOT_FOUND for an unknown account and INVALID_ARGUMENT for a malformed id', async () => {
    const missing = await h.client.failure('GetAccount', { accountId: randomUUID() });
    assert.equal(missing.status, grpc.status.NOT_FOUND);
    const malformed = await h.client.failure('GetAccount', { accountId: 'not-a-uuid' });
    assert.equal(malformed.status, grpc.status.INVALID_ARGUMENT);
    assert.equal(malformed.appError.details.field, 'account_id');
  });

  it("hides another owner's account exactly like a missing one", async () => {
    const own = await h.client.call('GetAccount', {
      accountId: alicesUsd,
      options: { restrictToOwner: 'alice' },
    });
    assert.equal(own.accountId, alicesUsd);
    const foreign = await h.client.failure('GetAccount', {
      accountId: bobs,
      options: { restrictToOwner: 'alice' },
    });
    const missing = await h.client.failure('GetAccount', {
      accountId: randomUUID(),
      options: { restrictToOwner: 'alice' },
    });
    assert.equal(foreign.status, grpc.status.NOT_FOUND);
    assert.equal(foreign.message, missing.message);
  });

  it("lists an owner's accounts, oldest first", async () => {
    const { accounts } = await h.client.call('ListAccounts', { ownerId: 'alice' });
    assert.deepEqual(ids(accounts), [alicesUsd, alicesJpy]);
    assert.deepEqual((await h.client.call('ListAccounts', { ownerId: 'nobody' })).accounts, []);
  });

  it("lists only the restricted owner's accounts; owner_id defaults to them", async () => {
    const mine = await h.client.call('ListAccounts', { options: { restrictToOwner: 'bob' } });
    assert.deepEqual(ids(mine.accounts), [bobs]);
    const others = await h.client.call('ListAccounts', {
      ownerId: 'alice',
      options: { restrictToOwner: 'bob' },
    });
    assert.deepEqual(others.accounts, []);
  });

  it('rejects a list without any owner', async () => {
    const failure = await h.client.failure('ListAccounts', {});
    assert.equal(failure.status, grpc.status.INVALID_ARGUMENT);
  });
});
