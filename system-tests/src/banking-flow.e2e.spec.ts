import { strict as assert } from 'node:assert';
import { after as afterAll, before, describe, it } from 'node:test';
import { after, command, ok, recorded, type Api, type Schemas } from './support/api.js';
import { startSystem, type System } from './support/system.js';

type Account = Schemas['Account'];
type LedgerEntry = Schemas['LedgerEntry'];

/**
 * A customer's day through the whole stack (gateway → command service → event store → relay →
 * Kafka → consumer → read models → query service → gateway). Every read right after a command
 * carries the command's position as X-Consistency-Token and must already show that command.
 * Every call goes through the client typed from the gateway's own OpenAPI document.
 */
describe('banking flow through the whole stack', () => {
  let system: System;
  let alice: Api;
  let teller: Api;
  let admin: Api;
  let aliceAccount: string;
  let bobAccount: string;
  let carolAccount: string;
  let completedTransfer: Schemas['TransferResult'];
  let failedTransfer: Schemas['TransferResult'];

  before(async () => {
    system = await startSystem('e2e_flow');
    alice = system.api('alice', ['customer']);
    teller = system.api('teller-1', ['teller']);
    admin = system.api('admin-1', ['admin']);
  });
  afterAll(() => system?.stop());

  /** The account as alice (or `who`) reads it right after the command at `position`. */
  const readAccount = (id: string, position: string, who: Api = alice): Promise<Account> =>
    ok(who.GET('/v1/accounts/{id}', { params: { path: { id }, header: after(position) } }));

  /** The params of a command on account `id`: its path and a fresh Idempotency-Key. */
  const onAccount = (id: string) => ({ path: { id }, header: command() });

  const expectBalances = (
    account: Account,
    balance: string,
    available: string,
    held = '0.00',
  ): void => {
    assert.deepEqual(
      { balance: account.balance, available: account.available, held: account.held },
      { balance, available, held },
    );
  };

  it('opens accounts: a customer for herself, a teller for customers', async () => {
    const opened = await ok(
      alice.POST('/v1/accounts', { params: { header: command() }, body: { currency: 'USD' } }),
      201,
    );
    assert.equal(opened.account.ownerId, 'alice');
    assert.equal(opened.account.currency, 'USD');
    assert.equal(opened.account.status, 'open');
    expectBalances(opened.account, '0.00', '0.00');
    aliceAccount = opened.account.id;
    const read = await readAccount(aliceAccount, opened.position);
    assert.equal(read.id, aliceAccount);
    expectBalances(read, '0.00', '0.00');

    const forBob = await ok(
      teller.POST('/v1/accounts', {
        params: { header: command() },
        body: { currency: 'USD', ownerId: 'bob', type: 'savings' },
      }),
      201,
    );
    assert.equal(forBob.account.ownerId, 'bob');
    assert.equal(forBob.account.type, 'savings');
    bobAccount = forBob.account.id;
    const forCarol = await ok(
      teller.POST('/v1/accounts', {
        params: { header: command() },
        body: { currency: 'USD', ownerId: 'carol' },
      }),
    );
    carolAccount = forCarol.account.id;

    const bob = system.api('bob', ['customer']);
    const bobs = await ok(
      bob.GET('/v1/accounts', { params: { header: after(forCarol.position) } }),
    );
    assert.deepEqual(
      bobs.accounts.map((account) => account.id),
      [bobAccount],
    );
    const alices = await ok(
      teller.GET('/v1/accounts', {
        params: { query: { ownerId: 'alice' }, header: after(forCarol.position) },
      }),
    );
    assert.deepEqual(
      alices.accounts.map((account) => account.id),
      [aliceAccount],
    );
  });

  it('deposits and withdraws, exactly to the cent', async () => {
    const deposited = await ok(
      teller.POST('/v1/accounts/{id}/deposits', {
        params: onAccount(aliceAccount),
        body: { amount: '100' },
      }),
    );
    expectBalances(deposited.account, '100.00', '100.00');
    expectBalances(await readAccount(aliceAccount, deposited.position), '100.00', '100.00');

    const withdrawn = await ok(
      alice.POST('/v1/accounts/{id}/withdrawals', {
        params: onAccount(aliceAccount),
        body: { amount: '25.5' },
      }),
    );
    expectBalances(withdrawn.account, '74.50', '74.50');
    expectBalances(await readAccount(aliceAccount, withdrawn.position), '74.50', '74.50');
  });

  it('places a hold, captures part of it (the rest is released) and releases another', async () => {
    const hold = await ok(
      teller.POST('/v1/accounts/{id}/holds', {
        params: onAccount(aliceAccount),
        body: { amount: '20.00' },
      }),
    );
    assert.match(hold.holdId, /^[0-9a-f-]{36}$/);
    expectBalances(hold.account, '74.50', '54.50', '20.00');
    expectBalances(await readAccount(aliceAccount, hold.position), '74.50', '54.50', '20.00');

    const captured = await ok(
      teller.POST('/v1/accounts/{id}/holds/{holdId}/capture', {
        params: { path: { id: aliceAccount, holdId: hold.holdId }, header: command() },
        body: { amount: '12.25' },
      }),
    );
    expectBalances(captured.account, '62.25', '62.25');
    assert.equal(captured.released, '7.75', 'the rest of the hold went back');
    expectBalances(await readAccount(aliceAccount, captured.position), '62.25', '62.25');

    const second = await ok(
      teller.POST('/v1/accounts/{id}/holds', {
        params: onAccount(aliceAccount),
        body: { amount: '10.01' },
      }),
    );
    expectBalances(await readAccount(aliceAccount, second.position), '62.25', '52.24', '10.01');
    const released = await ok(
      teller.POST('/v1/accounts/{id}/holds/{holdId}/release', {
        params: { path: { id: aliceAccount, holdId: second.holdId }, header: command() },
      }),
    );
    expectBalances(released.account, '62.25', '62.25');
    expectBalances(await readAccount(aliceAccount, released.position), '62.25', '62.25');
  });

  it('transfers between accounts: completed', async () => {
    completedTransfer = await recorded(
      alice.POST('/v1/transfers', {
        params: { header: command() },
        body: {
          fromAccountId: aliceAccount,
          toAccountId: bobAccount,
          amount: '30.00',
          reference: 'rent',
        },
      }),
    );
    assert.equal(completedTransfer.status, 'completed');
    assert.equal(completedTransfer.amount, '30.00');
    assert.equal(completedTransfer.currency, 'USD');
    expectBalances(await readAccount(aliceAccount, completedTransfer.position), '32.25', '32.25');
    expectBalances(
      await readAccount(bobAccount, completedTransfer.position, teller),
      '30.00',
      '30.00',
    );
  });

  it('transfers to a frozen account: failed, and no money leaves the source', async () => {
    const frozen = await ok(
      admin.POST('/v1/accounts/{id}/freeze', {
        params: onAccount(carolAccount),
        body: { reason: 'investigation' },
      }),
    );
    assert.equal(frozen.account.status, 'frozen');
    failedTransfer = await recorded(
      alice.POST('/v1/transfers', {
        params: { header: command() },
        body: { fromAccountId: aliceAccount, toAccountId: carolAccount, amount: '5.00' },
      }),
    );
    assert.equal(failedTransfer.status, 'failed');
    assert.equal(failedTransfer.failureReason, 'ACCOUNT_FROZEN');
    expectBalances(await readAccount(aliceAccount, failedTransfer.position), '32.25', '32.25');
    const carol = await readAccount(carolAccount, failedTransfer.position, admin);
    assert.equal(carol.status, 'frozen');
    expectBalances(carol, '0.00', '0.00');
  });

  it("shows each transfer's timeline", async () => {
    const readTransfer = (who: Api, { id, position }: Schemas['TransferResult']) =>
      ok(who.GET('/v1/transfers/{id}', { params: { path: { id }, header: after(position) } }));
    const completed = await readTransfer(alice, completedTransfer);
    assert.equal(completed.status, 'completed');
    assert.equal(completed.fromAccountId, aliceAccount);
    assert.equal(completed.toAccountId, bobAccount);
    assert.equal(completed.amount, '30.00');
    assert.equal(completed.reference, 'rent');
    assert.deepEqual(
      completed.history.map((step) => step.status),
      ['requested', 'source_debited', 'destination_credited', 'completed'],
    );
    // The other party sees it too.
    const asBob = await readTransfer(system.api('bob', ['customer']), completedTransfer);
    assert.equal(asBob.id, completedTransfer.id);

    const failed = await readTransfer(alice, failedTransfer);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failureReason, 'ACCOUNT_FROZEN');
    // Decided on both accounts at once: the frozen destination fails it before any debit.
    assert.deepEqual(
      failed.history.map((step) => step.status),
      ['requested', 'failed'],
    );
  });

  it('pages through the transactions with a cursor, newest first', async () => {
    // The failed transfer moved no money, so it is no entry.
    const expected = [
      { type: 'transfer_out', amount: '-30.00', balanceAfter: '32.25' },
      { type: 'hold_capture', amount: '-12.25', balanceAfter: '62.25' },
      { type: 'withdrawal', amount: '-25.50', balanceAfter: '74.50' },
      { type: 'deposit', amount: '100.00', balanceAfter: '100.00' },
    ];
    const seen: LedgerEntry[] = [];
    let cursor: string | null = null;
    const pages: number[] = [];
    do {
      const page: Schemas['TransactionPage'] = await ok(
        alice.GET('/v1/accounts/{id}/transactions', {
          params: {
            path: { id: aliceAccount },
            query: { limit: '3', ...(cursor ? { cursor } : {}) },
            header: after(failedTransfer.position),
          },
        }),
      );
      pages.push(page.entries.length);
      seen.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 10);
    assert.deepEqual(pages, [3, 1]);
    assert.deepEqual(
      seen.map(({ type, amount, balanceAfter }) => ({ type, amount, balanceAfter })),
      expected,
    );
    assert.ok(seen.every((entry) => entry.accountId === aliceAccount && entry.currency === 'USD'));
    assert.equal(seen[0]?.transferId, completedTransfer.id);
    assert.equal(seen[0]?.counterpartyAccountId, bobAccount);

    const deposits = await ok(
      alice.GET('/v1/accounts/{id}/transactions', {
        params: {
          path: { id: aliceAccount },
          query: { type: 'deposit' },
          header: after(failedTransfer.position),
        },
      }),
    );
    assert.deepEqual(
      deposits.entries.map((entry) => entry.amount),
      ['100.00'],
    );
  });

  it("gives today's statement: opening, closing and totals", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const statement = await ok(
      alice.GET('/v1/accounts/{id}/statement', {
        params: {
          path: { id: aliceAccount },
          query: { from: today, to: today },
          header: after(failedTransfer.position),
        },
      }),
    );
    assert.equal(statement.accountId, aliceAccount);
    assert.equal(statement.currency, 'USD');
    assert.deepEqual(
      {
        opening: statement.openingBalance,
        closing: statement.closingBalance,
        totalIn: statement.totalIn,
        totalOut: statement.totalOut,
      },
      { opening: '0.00', closing: '32.25', totalIn: '100.00', totalOut: '67.75' },
    );
    assert.equal(statement.entries.length, 4);
  });
});
