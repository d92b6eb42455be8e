import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { grpc, mintDevelopmentToken, type MintOptions } from '@bank/platform';
import { startHarness, type Harness } from './testing/harness.js';
import { insertAccount } from './testing/seed.js';

const token = (sub: string, roles: MintOptions['roles'], secret?: string) =>
  mintDevelopmentToken({ sub, roles, ...(secret === undefined ? {} : { secret }) });

describe('the query service reads only as the caller its bearer token proves', () => {
  let h: Harness;
  let carols: string;

  before(async () => {
    h = await startHarness();
    carols = await insertAccount(h.schema.pool, { ownerId: 'carol', balance: 1_000n });
  });
  after(() => h.close());

  it('refuses a call without a token or with a forged one: UNAUTHENTICATED', async () => {
    for (const t of [
      null,
      'garbage',
      await token('admin-1', ['admin'], 'a-secret-the-services-do-not-know-0123456789'),
    ]) {
      const failure = await h.client.failure('GetAccount', { accountId: carols }, { token: t });
      assert.equal(failure.status, grpc.status.UNAUTHENTICATED, String(t));
    }
  });

  it('refuses a customer reading as another owner, or unrestricted: PERMISSION_DENIED', async () => {
    const mallory = await token('mallory', ['customer']);
    for (const options of [{ restrictToOwner: 'carol' }, { restrictToOwner: '' }, null]) {
      const failure = await h.client.failure(
        'GetAccount',
        { accountId: carols, options },
        { token: mallory },
      );
      assert.equal(failure.status, grpc.status.PERMISSION_DENIED, JSON.stringify(options));
    }
    const list = await h.client.failure(
      'ListAccounts',
      { ownerId: 'carol', options: { restrictToOwner: 'carol' } },
      { token: mallory },
    );
    assert.equal(list.status, grpc.status.PERMISSION_DENIED);
  });

  it('answers the owner, as the token proves it, and staff unrestricted', async () => {
    const carol = await token('carol', ['customer']);
    const own = await h.client.call(
      'GetAccount',
      { accountId: carols, options: { restrictToOwner: 'carol' } },
      { token: carol },
    );
    assert.equal(own.balance, '10.00');
    const teller = await token('teller-1', ['teller']);
    const staff = await h.client.call('GetAccount', { accountId: carols }, { token: teller });
    assert.equal(staff.ownerId, 'carol');
  });
});
