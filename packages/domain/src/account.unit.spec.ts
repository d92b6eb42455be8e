import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  availableBalance,
  debitRefusal,
  foldAccount,
  hasTransferLeg,
  initialAccountState,
  type AccountCommand,
} from './account.js';
import { InvalidCommandError } from './decision.js';
import type { AccountEvent } from './events.js';
import { MAX_AMOUNT_MINOR, MAX_BALANCE_MINOR } from './money.js';
import { accountSpec } from './testing/decider-spec.js';

const accountId = 'acc-1';
const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-01T01:00:00.000Z';
const T2 = '2025-01-01T02:00:00.000Z';

const opened = (overdraftLimit = 0n): AccountEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerId: 'owner-1', currency: 'USD', accountType: 'checking', overdraftLimit },
});
const deposited = (amount: bigint): AccountEvent => ({
  type: 'FundsDeposited',
  data: { accountId, amount },
});
const withdrawn = (amount: bigint): AccountEvent => ({
  type: 'FundsWithdrawn',
  data: { accountId, amount },
});
const holdPlaced = (
  holdId: string,
  amount: bigint,
  expiresAt: string | null = null,
): AccountEvent => ({
  type: 'HoldPlaced',
  data: { accountId, holdId, amount, expiresAt },
});
const holdCaptured = (holdId: string, amount: bigint, released: bigint): AccountEvent => ({
  type: 'HoldCaptured',
  data: { accountId, holdId, amount, released },
});
const holdReleased = (holdId: string, amount: bigint): AccountEvent => ({
  type: 'HoldReleased',
  data: { accountId, holdId, amount },
});
const holdExpired = (holdId: string, amount: bigint): AccountEvent => ({
  type: 'HoldExpired',
  data: { accountId, holdId, amount },
});
const frozen: AccountEvent = { type: 'AccountFrozen', data: { accountId, reason: 'fraud check' } };
const unfrozen: AccountEvent = { type: 'AccountUnfrozen', data: { accountId } };
const closed: AccountEvent = { type: 'AccountClosed', data: { accountId } };
const limitChanged = (overdraftLimit: bigint): AccountEvent => ({
  type: 'OverdraftLimitChanged',
  data: { accountId, overdraftLimit },
});
const leg = { transferId: 'tr-1', counterpartyAccountId: 'acc-2', amount: 300n };
const debited = (l = leg): AccountEvent => ({ type: 'TransferDebited', data: { accountId, ...l } });
const credited = (l = leg): AccountEvent => ({
  type: 'TransferCredited',
  data: { accountId, ...l },
});
const refunded = (l = leg): AccountEvent => ({
  type: 'TransferRefunded',
  data: { accountId, ...l },
});

const open = (overdraftLimit = 0n): AccountCommand => ({
  type: 'OpenAccount',
  data: { accountId, ownerId: 'owner-1', currency: 'USD', accountType: 'checking', overdraftLimit },
});
const deposit = (amount: bigint): AccountCommand => ({ type: 'Deposit', data: { amount } });
const withdraw = (amount: bigint): AccountCommand => ({ type: 'Withdraw', data: { amount } });
const placeHold = (
  holdId: string,
  amount: bigint,
  expiresAt: string | null = null,
  now = T0,
): AccountCommand => ({
  type: 'PlaceHold',
  data: { holdId, amount, expiresAt, now },
});
const capture = (holdId: string, amount: bigint | null = null, now = T0): AccountCommand => ({
  type: 'CaptureHold',
  data: { holdId, amount, now },
});
const release = (holdId: string): AccountCommand => ({ type: 'ReleaseHold', data: { holdId } });
const expire = (holdId: string, now: string): AccountCommand => ({
  type: 'ExpireHold',
  data: { holdId, now },
});
const freeze: AccountCommand = { type: 'FreezeAccount', data: { reason: 'fraud check' } };
const unfreeze: AccountCommand = { type: 'UnfreezeAccount', data: {} };
const close: AccountCommand = { type: 'CloseAccount', data: {} };
const changeLimit = (overdraftLimit: bigint): AccountCommand => ({
  type: 'ChangeOverdraftLimit',
  data: { overdraftLimit },
});
const debitDeclined = (reason: string, l = leg): AccountEvent => ({
  type: 'TransferDebitDeclined',
  data: { accountId, ...l, reason },
});
const creditDeclined = (reason: string, l = leg): AccountEvent => ({
  type: 'TransferCreditDeclined',
  data: { accountId, ...l, reason },
});
const debit = (l = leg): AccountCommand => ({ type: 'DebitForTransfer', data: l });
const credit = (l = leg): AccountCommand => ({ type: 'CreditForTransfer', data: l });
const refund = (l = leg): AccountCommand => ({ type: 'RefundTransfer', data: l });

describe('account: open', () => {
  it('opens a new account', () => {
    accountSpec
      .given([])
      .when(open(500n))
      .then([opened(500n)]);
    accountSpec
      .given([])
      .when(open())
      .thenState((state) => {
        assert.equal(state.status, 'open');
        assert.equal(state.balance, 0n);
        assert.equal(availableBalance(state), 0n);
      });
  });

  it('refuses to open twice, also once closed', () => {
    accountSpec.given([opened()]).when(open()).thenRejects('ACCOUNT_ALREADY_EXISTS');
    accountSpec.given([opened(), closed]).when(open()).thenRejects('ACCOUNT_ALREADY_EXISTS');
  });

  it('refuses a negative or oversized overdraft limit', () => {
    accountSpec.given([]).when(open(-1n)).thenRejects('INVALID_AMOUNT');
    accountSpec
      .given([])
      .when(open(MAX_AMOUNT_MINOR + 1n))
      .thenRejects('INVALID_AMOUNT');
    accountSpec
      .given([])
      .when(open(MAX_AMOUNT_MINOR))
      .then([opened(MAX_AMOUNT_MINOR)]);
  });

  it('answers every other command on a missing account with ACCOUNT_NOT_FOUND', () => {
    for (const command of [
      deposit(1n),
      withdraw(1n),
      placeHold('h', 1n),
      capture('h'),
      release('h'),
      expire('h', T0),
      freeze,
      unfreeze,
      close,
      changeLimit(0n),
      debit(),
      credit(),
      refund(),
    ]) {
      accountSpec.given([]).when(command).thenRejects('ACCOUNT_NOT_FOUND');
    }
  });
});

describe('account: deposit and withdraw', () => {
  it('deposits a positive amount', () => {
    accountSpec
      .given([opened()])
      .when(deposit(100n))
      .then([deposited(100n)]);
  });

  it('refuses zero, negative and oversized amounts', () => {
    for (const amount of [0n, -1n, MAX_AMOUNT_MINOR + 1n]) {
      accountSpec.given([opened()]).when(deposit(amount)).thenRejects('INVALID_AMOUNT');
      accountSpec
        .given([opened(), deposited(100n)])
        .when(withdraw(amount))
        .thenRejects('INVALID_AMOUNT');
    }
  });

  it('deposits up to the largest balance, and refuses a deposit past it', () => {
    const nearlyFull = [opened(), deposited(MAX_BALANCE_MINOR - 100n)];
    accountSpec
      .given(nearlyFull)
      .when(deposit(100n))
      .then([deposited(100n)]);
    accountSpec.given(nearlyFull).when(deposit(101n)).thenRejects('BALANCE_LIMIT_EXCEEDED');
  });

  it('says why a debit would be refused, by the rule every debit is decided by', () => {
    const funded = foldAccount([opened(50n), deposited(100n), holdPlaced('h', 30n)]);
    assert.equal(debitRefusal(funded, 120n), undefined); // 100 - 30 + 50
    assert.equal(debitRefusal(funded, 121n)?.code, 'INSUFFICIENT_FUNDS');
    assert.equal(debitRefusal(funded, 0n)?.code, 'INVALID_AMOUNT');
    assert.equal(
      debitRefusal(foldAccount([opened(), deposited(100n), frozen]), 1n)?.code,
      'ACCOUNT_FROZEN',
    );
    assert.equal(debitRefusal(initialAccountState, 1n)?.code, 'ACCOUNT_NOT_FOUND');
  });

  it('withdraws up to the balance', () => {
    accountSpec
      .given([opened(), deposited(100n)])
      .when(withdraw(100n))
      .then([withdrawn(100n)]);
    accountSpec
      .given([opened(), deposited(100n)])
      .when(withdraw(101n))
      .thenRejects('INSUFFICIENT_FUNDS');
    accountSpec.given([opened()]).when(withdraw(1n)).thenRejects('INSUFFICIENT_FUNDS');
  });

  it('counts the overdraft headroom as available', () => {
    accountSpec
      .given([opened(50n), deposited(100n)])
      .when(withdraw(150n))
      .then([withdrawn(150n)]);
    accountSpec
      .given([opened(50n), deposited(100n)])
      .when(withdraw(151n))
      .thenRejects('INSUFFICIENT_FUNDS');
    accountSpec
      .given([opened(50n), deposited(100n), withdrawn(150n)])
      .when(withdraw(1n))
      .thenRejects('INSUFFICIENT_FUNDS');
  });

  it('does not count open holds as available', () => {
    const given = [opened(20n), deposited(100n), holdPlaced('h1', 70n)];
    accountSpec
      .given(given)
      .when(withdraw(50n))
      .then([withdrawn(50n)]);
    accountSpec.given(given).when(withdraw(51n)).thenRejects('INSUFFICIENT_FUNDS');
    accountSpec
      .given([...given, holdReleased('h1', 70n)])
      .when(withdraw(120n))
      .then([withdrawn(120n)]);
  });
});

describe('account: holds', () => {
  const funded = [opened(), deposited(100n)];

  it('places a hold within the available balance', () => {
    accountSpec
      .given(funded)
      .when(placeHold('h1', 60n, T1))
      .then([holdPlaced('h1', 60n, T1)]);
    accountSpec
      .given(funded)
      .when(placeHold('h1', 100n))
      .then([holdPlaced('h1', 100n)]);
    accountSpec
      .given(funded)
      .when(placeHold('h1', 60n))
      .thenState((state) => {
        assert.ok(state.status !== 'none');
        assert.equal(state.balance, 100n);
        assert.equal(state.heldTotal, 60n);
        assert.equal(availableBalance(state), 40n);
      });
  });

  it('refuses a hold beyond the available balance, counting other holds', () => {
    accountSpec.given(funded).when(placeHold('h1', 101n)).thenRejects('INSUFFICIENT_FUNDS');
    accountSpec
      .given([...funded, holdPlaced('h1', 60n)])
      .when(placeHold('h2', 41n))
      .thenRejects('INSUFFICIENT_FUNDS');
    accountSpec
      .given([...funded, holdPlaced('h1', 60n)])
      .when(placeHold('h2', 40n))
      .then([holdPlaced('h2', 40n)]);
  });

  it('refuses a bad amount or an expiry that is not in the future', () => {
    accountSpec.given(funded).when(placeHold('h1', 0n)).thenRejects('INVALID_AMOUNT');
    accountSpec
      .given(funded)
      .when(placeHold('h1', 10n, T0, T0))
      .thenRejects('HOLD_EXPIRED');
    accountSpec
      .given(funded)
      .when(placeHold('h1', 10n, T0, T1))
      .thenRejects('HOLD_EXPIRED');
  });

  it('refuses a hold id in use, and one used before (a hold id names one hold for life)', () => {
    accountSpec
      .given([...funded, holdPlaced('h1', 10n)])
      .when(placeHold('h1', 10n))
      .thenRejects('HOLD_ALREADY_EXISTS');
    accountSpec
      .given([...funded, holdPlaced('h1', 10n), holdReleased('h1', 10n)])
      .when(placeHold('h1', 10n))
      .thenRejects('HOLD_ALREADY_EXISTS');
    accountSpec
      .given([...funded, holdPlaced('h1', 10n), holdCaptured('h1', 10n, 0n)])
      .when(placeHold('h1', 10n))
      .thenRejects('HOLD_ALREADY_EXISTS');
  });

  it('captures the full hold by default', () => {
    const given = [...funded, holdPlaced('h1', 60n)];
    accountSpec
      .given(given)
      .when(capture('h1'))
      .then([holdCaptured('h1', 60n, 0n)]);
    accountSpec
      .given(given)
      .when(capture('h1'))
      .thenState((state) => {
        assert.ok(state.status !== 'none');
        assert.equal(state.balance, 40n);
        assert.equal(state.heldTotal, 0n);
        assert.equal(state.holds.size, 0);
      });
  });

  it('captures part of a hold and releases the rest', () => {
    const given = [...funded, holdPlaced('h1', 60n), holdPlaced('h2', 10n)];
    accountSpec
      .given(given)
      .when(capture('h1', 25n))
      .then([holdCaptured('h1', 25n, 35n)]);
    accountSpec
      .given(given)
      .when(capture('h1', 25n))
      .thenState((state) => {
        assert.ok(state.status !== 'none');
        assert.equal(state.balance, 75n);
        assert.equal(state.heldTotal, 10n);
        assert.deepEqual([...state.holds.keys()], ['h2']);
        assert.equal(availableBalance(state), 65n);
      });
  });

  it('refuses to capture more than held, nothing, or an unknown hold', () => {
    const given = [...funded, holdPlaced('h1', 60n)];
    accountSpec.given(given).when(capture('h1', 61n)).thenRejects('CAPTURE_EXCEEDS_HOLD');
    accountSpec.given(given).when(capture('h1', 0n)).thenRejects('INVALID_AMOUNT');
    accountSpec.given(given).when(capture('h2')).thenRejects('HOLD_NOT_FOUND');
    accountSpec
      .given([...given, holdCaptured('h1', 60n, 0n)])
      .when(capture('h1'))
      .thenRejects('HOLD_NOT_FOUND');
  });

  it('refuses to capture an expired hold, at or after its expiry', () => {
    const given = [...funded, holdPlaced('h1', 60n, T1)];
    accountSpec
      .given(given)
      .when(capture('h1', null, T0))
      .then([holdCaptured('h1', 60n, 0n)]);
    accountSpec
      .given(given)
      .when(capture('h1', null, T1))
      .thenRejects('HOLD_EXPIRED');
    accountSpec
      .given(given)
      .when(capture('h1', null, T2))
      .thenRejects('HOLD_EXPIRED');
  });

  it('releases a hold', () => {
    const given = [...funded, holdPlaced('h1', 60n)];
    accountSpec
      .given(given)
      .when(release('h1'))
      .then([holdReleased('h1', 60n)]);
    accountSpec.given(given).when(release('nope')).thenRejects('HOLD_NOT_FOUND');
    accountSpec
      .given([...given, holdReleased('h1', 60n)])
      .when(release('h1'))
      .thenRejects('HOLD_NOT_FOUND');
  });

  it('expires a hold only at or after its expiry', () => {
    const given = [...funded, holdPlaced('h1', 60n, T1)];
    accountSpec.given(given).when(expire('h1', T0)).thenRejects('HOLD_NOT_EXPIRED');
    accountSpec
      .given(given)
      .when(expire('h1', T1))
      .then([holdExpired('h1', 60n)]);
    accountSpec
      .given(given)
      .when(expire('h1', T2))
      .then([holdExpired('h1', 60n)]);
    accountSpec
      .given([...funded, holdPlaced('h1', 60n)])
      .when(expire('h1', T2))
      .thenRejects('HOLD_NOT_EXPIRED');
    accountSpec.given(given).when(expire('h2', T2)).thenRejects('HOLD_NOT_FOUND');
    accountSpec
      .given([...given, holdExpired('h1', 60n)])
      .when(capture('h1'))
      .thenRejects('HOLD_NOT_FOUND');
  });

  it('compares times as instants, not as text', () => {
    // As text "…:00Z" sorts after "…:00.500Z" although it is half a second earlier.
    const given = [...funded, holdPlaced('h1', 60n, '2025-01-01T01:00:00.500Z')];
    accountSpec
      .given(given)
      .when(capture('h1', null, '2025-01-01T01:00:00Z'))
      .then([holdCaptured('h1', 60n, 0n)]);
    accountSpec
      .given(given)
      .when(expire('h1', '2025-01-01T01:00:00Z'))
      .thenRejects('HOLD_NOT_EXPIRED');
    // Same instant written with an offset.
    accountSpec
      .given(given)
      .when(expire('h1', '2025-01-01T03:00:00.500+02:00'))
      .then([holdExpired('h1', 60n)]);
    accountSpec
      .given(funded)
      .when(placeHold('h1', 10n, '2025-01-01T02:30:00+02:00', T1))
      .thenRejects('HOLD_EXPIRED');
  });

  it('throws on a time that is not an instant: a caller bug, not a business outcome', () => {
    assert.throws(
      () =>
        accountSpec
          .given(funded)
          .when(placeHold('h1', 10n, 'tomorrow'))
          .decision(),
      InvalidCommandError,
    );
  });
});

describe('account: freeze and unfreeze', () => {
  const frozenAccount = [opened(100n), deposited(100n), holdPlaced('h1', 10n), frozen];

  it('freezes an open account and unfreezes a frozen one', () => {
    accountSpec.given([opened()]).when(freeze).then([frozen]);
    accountSpec.given([opened(), frozen]).when(freeze).thenRejects('ACCOUNT_FROZEN');
    accountSpec.given([opened(), frozen]).when(unfreeze).then([unfrozen]);
    accountSpec.given([opened()]).when(unfreeze).thenRejects('ACCOUNT_NOT_FROZEN');
    accountSpec
      .given([opened(), frozen, unfrozen])
      .when(deposit(1n))
      .then([deposited(1n)]);
  });

  it('takes no debits nor deposits while frozen', () => {
    accountSpec.given(frozenAccount).when(deposit(1n)).thenRejects('ACCOUNT_FROZEN');
    accountSpec.given(frozenAccount).when(withdraw(1n)).thenRejects('ACCOUNT_FROZEN');
    accountSpec.given(frozenAccount).when(placeHold('h2', 1n)).thenRejects('ACCOUNT_FROZEN');
    accountSpec.given(frozenAccount).when(capture('h1')).thenRejects('ACCOUNT_FROZEN');
    // Transfer legs are refused by recording the refusal, so it stays the answer for that transfer.
    accountSpec
      .given(frozenAccount)
      .when(debit())
      .then([debitDeclined('ACCOUNT_FROZEN')]);
    accountSpec
      .given(frozenAccount)
      .when(credit())
      .then([creditDeclined('ACCOUNT_FROZEN')]);
  });

  it('still releases and expires holds while frozen', () => {
    accountSpec
      .given(frozenAccount)
      .when(release('h1'))
      .then([holdReleased('h1', 10n)]);
    accountSpec
      .given([opened(), deposited(100n), holdPlaced('h1', 10n, T1), frozen])
      .when(expire('h1', T2))
      .then([holdExpired('h1', 10n)]);
  });
});

describe('account: close', () => {
  it('closes at zero balance with no open holds', () => {
    accountSpec.given([opened()]).when(close).then([closed]);
    accountSpec
      .given([opened(), deposited(10n), withdrawn(10n)])
      .when(close)
      .then([closed]);
  });

  it('refuses a non-zero balance, positive or negative', () => {
    accountSpec
      .given([opened(), deposited(10n)])
      .when(close)
      .thenRejects('ACCOUNT_NOT_EMPTY');
    accountSpec
      .given([opened(50n), withdrawn(10n)])
      .when(close)
      .thenRejects('ACCOUNT_NOT_EMPTY');
  });

  it('refuses while holds are open', () => {
    const given = [opened(10n), holdPlaced('h1', 10n)];
    accountSpec.given(given).when(close).thenRejects('OPEN_HOLDS');
    accountSpec
      .given([...given, holdReleased('h1', 10n)])
      .when(close)
      .then([closed]);
  });

  it('accepts nothing once closed, apart from refunds', () => {
    const given = [opened(), closed];
    accountSpec.given(given).when(close).thenRejects('ACCOUNT_CLOSED');
    accountSpec.given(given).when(deposit(1n)).thenRejects('ACCOUNT_CLOSED');
    accountSpec.given(given).when(withdraw(1n)).thenRejects('ACCOUNT_CLOSED');
    accountSpec.given(given).when(placeHold('h1', 1n)).thenRejects('ACCOUNT_CLOSED');
    accountSpec.given(given).when(freeze).thenRejects('ACCOUNT_CLOSED');
    accountSpec.given(given).when(unfreeze).thenRejects('ACCOUNT_CLOSED');
    accountSpec.given(given).when(changeLimit(5n)).thenRejects('ACCOUNT_CLOSED');
    accountSpec
      .given(given)
      .when(debit())
      .then([debitDeclined('ACCOUNT_CLOSED')]);
    accountSpec
      .given(given)
      .when(credit())
      .then([creditDeclined('ACCOUNT_CLOSED')]);
    accountSpec.given(given).when(capture('h1')).thenRejects('HOLD_NOT_FOUND');
  });
});

describe('account: overdraft limit', () => {
  it('changes the limit, which changes what a debit may take', () => {
    accountSpec
      .given([opened()])
      .when(changeLimit(100n))
      .then([limitChanged(100n)]);
    accountSpec
      .given([opened(), limitChanged(100n)])
      .when(withdraw(100n))
      .then([withdrawn(100n)]);
    accountSpec
      .given([opened(100n), limitChanged(0n)])
      .when(withdraw(1n))
      .thenRejects('INSUFFICIENT_FUNDS');
  });

  it('refuses a negative or oversized limit', () => {
    accountSpec.given([opened()]).when(changeLimit(-1n)).thenRejects('INVALID_AMOUNT');
    accountSpec
      .given([opened()])
      .when(changeLimit(MAX_AMOUNT_MINOR + 1n))
      .thenRejects('INVALID_AMOUNT');
  });
});

describe('account: transfer legs', () => {
  const funded = [opened(), deposited(1000n)];

  it('debits within the available balance, once per transfer', () => {
    accountSpec.given(funded).when(debit()).then([debited()]);
    accountSpec
      .given([...funded, debited()])
      .when(debit())
      .thenNothing();
    accountSpec
      .given([opened(), deposited(299n)])
      .when(debit())
      .then([debitDeclined('INSUFFICIENT_FUNDS')]);
    accountSpec
      .given(funded)
      .when(debit({ ...leg, amount: 0n }))
      .thenRejects('INVALID_AMOUNT');
  });

  it('an already applied leg is accepted with no events even if the account changed since', () => {
    accountSpec
      .given([...funded, debited(), frozen])
      .when(debit())
      .thenNothing();
    accountSpec.given([opened(), credited(), frozen]).when(credit()).thenNothing();
  });

  it('a declined leg stays declined, even once the account could take it', () => {
    const declined = [opened(), debitDeclined('INSUFFICIENT_FUNDS'), deposited(1000n)];
    accountSpec.given(declined).when(debit()).thenNothing();
    accountSpec
      .given([opened(), frozen, creditDeclined('ACCOUNT_FROZEN'), unfrozen])
      .when(credit())
      .thenNothing();
  });

  it('credits once per transfer', () => {
    accountSpec.given([opened()]).when(credit()).then([credited()]);
    accountSpec.given([opened(), credited()]).when(credit()).thenNothing();
    accountSpec
      .given([opened()])
      .when(credit({ ...leg, amount: -5n }))
      .thenRejects('INVALID_AMOUNT');
  });

  it('declines a credit past the largest balance (the transfer then refunds its source)', () => {
    accountSpec
      .given([opened(), deposited(MAX_BALANCE_MINOR - 299n)])
      .when(credit())
      .then([creditDeclined('BALANCE_LIMIT_EXCEEDED')]);
    accountSpec
      .given([opened(), deposited(MAX_BALANCE_MINOR - 300n)])
      .when(credit())
      .then([credited()]);
  });

  it('refunds even past the largest balance: the money must land somewhere', () => {
    accountSpec
      .given([opened(), deposited(300n), debited(), deposited(MAX_BALANCE_MINOR)])
      .when(refund())
      .then([refunded()]);
  });

  it('refunds only what was debited, once', () => {
    accountSpec.given(funded).when(refund()).thenRejects('TRANSFER_STATE_INVALID');
    accountSpec.given([opened(), credited()]).when(refund()).thenRejects('TRANSFER_STATE_INVALID');
    accountSpec
      .given([...funded, debited()])
      .when(refund())
      .then([refunded()]);
    accountSpec
      .given([...funded, debited(), refunded()])
      .when(refund())
      .thenNothing();
    accountSpec
      .given([...funded, debited()])
      .when(refund({ ...leg, amount: 301n }))
      .thenRejects('INVALID_AMOUNT');
    accountSpec
      .given([...funded, debited()])
      .when(refund({ ...leg, amount: 1n }))
      .thenRejects('INVALID_AMOUNT');
  });

  it('refunds into a frozen or closed account: the money must land somewhere', () => {
    accountSpec
      .given([...funded, debited(), frozen])
      .when(refund())
      .then([refunded()]);
    const drained = [opened(), deposited(300n), debited(), closed];
    accountSpec.given(drained).when(refund()).then([refunded()]);
    accountSpec
      .given(drained)
      .when(refund())
      .thenState((state) => {
        assert.equal(state.status, 'closed');
        assert.equal(state.balance, 300n);
      });
  });

  it('moves the balance and records the leg', () => {
    const state = foldAccount([
      ...funded,
      debited(),
      refunded(),
      credited({ ...leg, transferId: 'tr-2' }),
    ]);
    assert.ok(state.status !== 'none');
    assert.equal(state.balance, 1300n);
    assert.ok(hasTransferLeg(state, 'debit', 'tr-1'));
    assert.ok(hasTransferLeg(state, 'refund', 'tr-1'));
    assert.ok(!hasTransferLeg(state, 'credit', 'tr-1'));
    assert.ok(hasTransferLeg(state, 'credit', 'tr-2'));
    assert.ok(!hasTransferLeg(foldAccount([]), 'debit', 'tr-1'));
  });
});

describe('account: evolve', () => {
  it('ignores events before the account was opened', () => {
    assert.deepEqual(foldAccount([deposited(5n)]), { status: 'none' });
  });

  it('folds a mixed history to the expected balance and holds', () => {
    const state = foldAccount([
      opened(100n),
      deposited(500n),
      withdrawn(50n),
      holdPlaced('h1', 100n),
      holdPlaced('h2', 40n, T1),
      holdCaptured('h1', 70n, 30n),
      holdExpired('h2', 40n),
      holdPlaced('h3', 5n),
      debited(),
    ]);
    assert.ok(state.status !== 'none');
    assert.equal(state.balance, 500n - 50n - 70n - 300n);
    assert.equal(state.heldTotal, 5n);
    assert.equal(availableBalance(state), 80n - 5n + 100n);
  });
});
