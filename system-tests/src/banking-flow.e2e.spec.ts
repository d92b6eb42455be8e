import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type {
  AccountResult,
  Account,
  Client,
  HoldResult,
  Statement,
  TransactionPage,
  Transfer,
  TransferResult,
} from './support/client.js';
import { startSystem, type System } from './support/system.js';

/**
 * A customer's day through the whole stack (gateway → command service → event store → relay →
 * Kafka → consumer → read models → query service → gateway). Every read right after a command
 * carries the command's position as X-Consistency-Token and must already show that command.
 */
describe('banking flow through the whole stack', () => {
  let system: System;
  let alice: Client;
  let teller: Client;
  let admin: Client;
  let aliceAccount: string;
  let bobAccount: string;
  let carolAccount: string;
  let completedTransfer: TransferResult;
  let failedTransfer: TransferResult;

  before(async () => {
    system = await startSystem('e2e_flow');
    alice = system.as('alice', ['customer']);
    teller = system.as('teller-1', ['teller']);
    admin = system.as('admin-1', ['admin']);
  });
  after(() => system?.stop());

  /** The account as alice (or `who`) reads it right after the command at `position`. */
  const readAccount = (id: string, position: string, who: Client = alice): Promise<Account> =>
    who.read<Account>(`/v1/accounts/${id}`, position);

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
    const opened = await alice.post<AccountResult>('/v1/accounts', { currency: 'USD' });
    assert.equal(opened.status, 201);
    assert.equal(opened.body.account.ownerId, 'alice');
    assert.equal(opened.body.account.currency, 'USD');
    assert.equal(opened.body.account.status, 'open');
    expectBalances(opened.body.account, '0.00', '0.00');
    aliceAccount = opened.body.account.id;
    const read = await readAccount(aliceAccount, opened.body.position);
    assert.equal(read.id, aliceAccount);
    expectBalances(read, '0.00', '0.00');

    const forBob = await teller.post<AccountResult>('/v1/accounts', {
      currency: 'USD',
      ownerId: 'bob',
      type: 'savings',
    });
    assert.equal(forBob.status, 201);
    assert.equal(forBob.body.account.ownerId, 'bob');
    assert.equal(forBob.body.account.type, 'savings');
    bobAccount = forBob.body.account.id;
    const forCarol = await teller.ok<AccountResult>('/v1/accounts', {
      currency: 'USD',
      ownerId: 'carol',
    });
    carolAccount = forCarol.account.id;

    const bob = system.as('bob', ['customer']);
    const bobs = await bob.read<{ accounts: Account[] }>('/v1/accounts', forCarol.position);
    assert.deepEqual(
      bobs.accounts.map((account) => account.id),
      [bobAccount],
    );
    const alices = await teller.read<{ accounts: Account[] }>(
      '/v1/accounts?ownerId=alice',
      forCarol.position,
    );
    assert.deepEqual(
      alices.accounts.map((account) => account.id),
      [aliceAccount],
    );
  });

  it('deposits and withdraws, exactly to the cent', async () => {
    const deposited = await teller.ok<AccountResult>(`/v1/accounts/${aliceAccount}/deposits`, {
      amount: '100',
    });
    expectBalances(deposited.account, '100.00', '100.00');
    expectBalances(await readAccount(aliceAccount, deposited.position), '100.00', '100.00');

    const withdrawn = await alice.ok<AccountResult>(`/v1/accounts/${aliceAccount}/withdrawals`, {
      amount: '25.5',
    });
    expectBalances(withdrawn.account, '74.50', '74.50');
    expectBalances(await readAccount(aliceAccount, withdrawn.position), '74.50', '74.50');
  });

  it('places a hold, captures part of it (the rest is released) and releases another', async () => {
    const hold = await teller.ok<HoldResult>(`/v1/accounts/${aliceAccount}/holds`, {
      amount: '20.00',
    });
    assert.match(hold.holdId, /^[0-9a-f-]{36}$/);
    expectBalances(hold.account, '74.50', '54.50', '20.00');
    expectBalances(await readAccount(aliceAccount, hold.position), '74.50', '54.50', '20.00');

    const captured = await teller.ok<AccountResult>(
      `/v1/accounts/${aliceAccount}/holds/${hold.holdId}/capture`,
      { amount: '12.25' },
    );
    expectBalances(captured.account, '62.25', '62.25');
    expectBalances(await readAccount(aliceAccount, captured.position), '62.25', '62.25');

    const second = await teller.ok<HoldResult>(`/v1/accounts/${aliceAccount}/holds`, {
      amount: '10.01',
    });
    expectBalances(await readAccount(aliceAccount, second.position), '62.25', '52.24', '10.01');
    const released = await teller.ok<AccountResult>(
      `/v1/accounts/${aliceAccount}/holds/${second.holdId}/release`,
    );
    expectBalances(released.account, '62.25', '62.25');
    expectBalances(await readAccount(aliceAccount, released.position), '62.25', '62.25');
  });

  it('transfers between accounts: completed', async () => {
    const response = await alice.post<TransferResult>('/v1/transfers', {
      fromAccountId: aliceAccount,
      toAccountId: bobAccount,
      amount: '30.00',
      reference: 'rent',
    });
    assert.equal(response.status, 201);
    completedTransfer = response.body;
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
    const frozen = await admin.ok<AccountResult>(`/v1/accounts/${carolAccount}/freeze`, {
      reason: 'investigation',
    });
    assert.equal(frozen.account.status, 'frozen');
    const response = await alice.post<TransferResult>('/v1/transfers', {
      fromAccountId: aliceAccount,
      toAccountId: carolAccount,
      amount: '5.00',
    });
    assert.equal(response.status, 201);
    failedTransfer = response.body;
    assert.equal(failedTransfer.status, 'failed');
    assert.equal(failedTransfer.failureReason, 'ACCOUNT_FROZEN');
    expectBalances(await readAccount(aliceAccount, failedTransfer.position), '32.25', '32.25');
    const carol = await readAccount(carolAccount, failedTransfer.position, admin);
    assert.equal(carol.status, 'frozen');
    expectBalances(carol, '0.00', '0.00');
  });

  it("shows each transfer's timeline", async () => {
    const completed = await alice.read<Transfer>(
      `/v1/transfers/${completedTransfer.id}`,
      completedTransfer.position,
    );
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
    const asBob = await system
      .as('bob', ['customer'])
      .read<Transfer>(`/v1/transfers/${completedTransfer.id}`, completedTransfer.position);
    assert.equal(asBob.id, completedTransfer.id);

    const failed = await alice.read<Transfer>(
      `/v1/transfers/${failedTransfer.id}`,
      failedTransfer.position,
    );
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
    const seen: TransactionPage['entries'][number][] = [];
    let cursor: string | null = null;
    const pages: number[] = [];
    do {
      const query: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: TransactionPage = await alice.read<TransactionPage>(
        `/v1/accounts/${aliceAccount}/transactions${query}`,
        failedTransfer.position,
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

    const deposits = await alice.read<TransactionPage>(
      `/v1/accounts/${aliceAccount}/transactions?type=deposit`,
      failedTransfer.position,
    );
    assert.deepEqual(
      deposits.entries.map((entry) => entry.amount),
      ['100.00'],
    );
  });

  it("gives today's statement: opening, closing and totals", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const statement = await alice.read<Statement>(
      `/v1/accounts/${aliceAccount}/statement?from=${today}&to=${today}`,
      failedTransfer.position,
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
