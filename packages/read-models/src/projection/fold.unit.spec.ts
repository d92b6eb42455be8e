import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { encodeEventData, type BankEvent } from '@bank/domain';
import { emptyViewState, foldEvents } from './fold.js';
import { ProjectionInvariantError, StreamGapError } from './errors.js';
import type { ProjectionEvent } from './projection-event.js';

const accountId = '11111111-1111-4111-8111-111111111111';
const holdId = '22222222-2222-4222-8222-222222222222';
let position = 0n;
const at = (
  revision: number,
  event: BankEvent,
  occurredAt = '2024-03-01T23:59:00.000Z',
): ProjectionEvent => ({
  streamId: `account-${accountId}`,
  revision: BigInt(revision),
  position: (position += 1n),
  eventId: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
  event,
  occurredAt,
  correlationId: undefined,
});

const history = [
  at(0, {
    type: 'AccountOpened',
    data: {
      accountId,
      ownerId: 'o',
      currency: 'EUR',
      accountType: 'checking',
      overdraftLimit: 500n,
    },
  }),
  at(1, { type: 'FundsDeposited', data: { accountId, amount: 10_000n } }),
  at(2, { type: 'HoldPlaced', data: { accountId, holdId, amount: 3_000n, expiresAt: null } }),
  at(
    3,
    { type: 'HoldCaptured', data: { accountId, holdId, amount: 1_000n, released: 2_000n } },
    '2024-03-02T00:01:00.000Z',
  ),
];

describe('foldEvents', () => {
  it('computes balance, held, available, the ledger with running balances, holds and daily balances', () => {
    const changes = foldEvents(emptyViewState(), history.slice(0, 3));
    const account = changes.accounts.get(accountId);
    assert.equal(account?.balance, 10_000n);
    assert.equal(account?.held, 3_000n);
    assert.equal(account?.available, 10_000n - 3_000n + 500n);
    assert.equal(changes.holds.get(`${accountId}/${holdId}`)?.status, 'open');

    const next = foldEvents(
      {
        ...emptyViewState(),
        accounts: changes.accounts,
        holds: changes.holds,
        daily: changes.daily,
        streams: changes.streams,
      },
      history,
    );
    assert.equal(next.skipped, 3);
    assert.equal(next.applied, 1);
    const after = next.accounts.get(accountId);
    assert.equal(after?.balance, 9_000n);
    assert.equal(after?.held, 0n);
    assert.equal(after?.available, 9_500n);
    assert.deepEqual(
      next.ledgerEntries.map((e) => [e.type, e.amount, e.balance_after, e.hold_id]),
      [['hold_capture', -1_000n, 9_000n, holdId]],
    );
    assert.deepEqual(next.holds.get(`${accountId}/${holdId}`)?.captured_amount, 1_000n);
    assert.deepEqual(next.daily.get(`${accountId}/2024-03-02`), {
      account_id: accountId,
      day: '2024-03-02',
      opening_balance: 10_000n,
      closing_balance: 9_000n,
      total_in: 0n,
      total_out: 1_000n,
    });
  });

  it('leaves the loaded state untouched (copy on write)', () => {
    const first = foldEvents(emptyViewState(), history.slice(0, 2));
    const state = { ...emptyViewState(), accounts: first.accounts, streams: first.streams };
    foldEvents(state, history.slice(0, 3));
    assert.equal(state.accounts.get(accountId)?.held, 0n);
  });

  it('throws StreamGapError when a revision is skipped', () => {
    assert.throws(() => foldEvents(emptyViewState(), [history[0]!, history[2]!]), StreamGapError);
  });

  it('throws ProjectionInvariantError for an account that was never opened', () => {
    const orphan = { ...history[1]!, revision: 0n };
    assert.throws(() => foldEvents(emptyViewState(), [orphan]), ProjectionInvariantError);
  });

  it('encodes money exactly past 2^53', () => {
    const big = at(9, {
      type: 'FundsDeposited',
      data: { accountId, amount: 9_007_199_254_740_993n },
    });
    assert.equal(encodeEventData(big.event)['amount'], '9007199254740993');
  });
});
