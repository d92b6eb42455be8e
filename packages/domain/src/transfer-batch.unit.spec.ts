import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evolveAccount, initialAccountState, type AccountState } from './account.js';
import type { RejectionCode } from './decision.js';
import type { AccountEvent } from './events.js';
import type { Currency } from './money.js';
import {
  decideAtomicBatch,
  decideIndependentBatch,
  settleTransfer,
  type AtomicBatchDecision,
  type IndependentBatchDecision,
  type RequestTransferCommand,
} from './transfer-batch.js';
import { initialTransferState } from './transfer.js';
import { stringify } from './testing/decider-spec.js';

const opened = (accountId: string, currency: Currency = 'EUR'): AccountEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerId: 'owner', currency, accountType: 'checking', overdraftLimit: 0n },
});
const deposited = (accountId: string, amount: bigint): AccountEvent => ({
  type: 'FundsDeposited',
  data: { accountId, amount },
});
const frozen = (accountId: string): AccountEvent => ({
  type: 'AccountFrozen',
  data: { accountId, reason: 'review' },
});

const leg = (
  index: number,
  fromAccountId: string,
  toAccountId: string,
  amount: bigint,
  currencies: { from?: Currency; to?: Currency } = {},
): RequestTransferCommand => ({
  type: 'RequestTransfer',
  data: {
    transferId: `t${index}`,
    fromAccountId,
    toAccountId,
    amount,
    reference: '',
    batch: { batchId: 'b1', index, mode: 'atomic' },
    fromCurrency: currencies.from ?? 'EUR',
    toCurrency: currencies.to ?? 'EUR',
  },
});

const balanceOf = (state: AccountState | undefined): bigint =>
  state === undefined || state.status === 'none' ? 0n : state.balance;

/**
 * given (each account's history) / when (the batch's legs) / then, for the atomic batch decider:
 * it decides on several account streams at once, so the one-stream spec does not fit.
 */
function given(histories: Record<string, readonly AccountEvent[]>) {
  const accounts = new Map(
    Object.entries(histories).map(([id, events]) => [
      id,
      events.reduce(evolveAccount, initialAccountState),
    ]),
  );
  return {
    when(legs: readonly RequestTransferCommand[]) {
      const decision = (): AtomicBatchDecision =>
        decideAtomicBatch(legs, accounts, () => initialTransferState);
      return {
        thenBalances(expected: Record<string, bigint>) {
          const decided = decision();
          assert.ok(decided.ok, `expected the batch to be accepted: ${stringify(decided)}`);
          for (const [id, balance] of Object.entries(expected))
            assert.equal(balanceOf(decided.accounts.get(id)), balance, `balance of ${id}`);
          return decided;
        },
        thenRejects(index: number, code: RejectionCode) {
          const decided = decision();
          assert.ok(!decided.ok, `expected the batch to be refused: ${stringify(decided)}`);
          assert.deepEqual({ index: decided.index, code: decided.rejection.code }, { index, code });
        },
      };
    },
  };
}

describe('atomic transfer batch (given / when / then)', () => {
  it('applies every leg, each on the balances the earlier legs left', () => {
    const decided = given({
      A: [opened('A'), deposited('A', 500n)],
      B: [opened('B')],
      C: [opened('C')],
    })
      .when([leg(0, 'A', 'B', 300n), leg(1, 'B', 'C', 200n)])
      .thenBalances({ A: 200n, B: 100n, C: 200n });
    assert.deepEqual(
      decided.legs.map((l) => l.progress.map((e) => e.type)),
      [0, 1].map(() => [
        'TransferSourceDebited',
        'TransferDestinationCredited',
        'TransferCompleted',
      ]),
    );
    assert.deepEqual(
      decided.legs.map((l) => l.requested[0]?.data),
      [0, 1].map((index) => ({
        transferId: `t${index}`,
        fromAccountId: index === 0 ? 'A' : 'B',
        toAccountId: index === 0 ? 'B' : 'C',
        amount: index === 0 ? 300n : 200n,
        currency: 'EUR',
        reference: '',
        batchId: 'b1',
        batchIndex: index,
        batchMode: 'atomic',
      })),
    );
  });

  it('refuses a later leg that spends more than the earlier legs brought', () => {
    given({ A: [opened('A'), deposited('A', 500n)], B: [opened('B')], C: [opened('C')] })
      .when([leg(0, 'A', 'B', 300n), leg(1, 'B', 'C', 301n)])
      .thenRejects(1, 'INSUFFICIENT_FUNDS');
  });

  it('refuses the batch at the first leg the rules refuse', () => {
    const histories = {
      A: [opened('A'), deposited('A', 500n)],
      B: [opened('B')],
      G: [opened('G', 'GBP')],
    };
    given(histories)
      .when([leg(0, 'A', 'B', 1n), leg(1, 'A', 'G', 1n, { to: 'GBP' }), leg(2, 'A', 'A', 1n)])
      .thenRejects(1, 'CURRENCY_MISMATCH');
    given(histories)
      .when([leg(0, 'A', 'A', 1n)])
      .thenRejects(0, 'SAME_ACCOUNT');
  });

  it('refuses the batch when a destination would decline its credit', () => {
    given({
      A: [opened('A'), deposited('A', 500n)],
      B: [opened('B'), frozen('B')],
      C: [opened('C')],
    })
      .when([leg(0, 'A', 'C', 100n), leg(1, 'A', 'B', 100n)])
      .thenRejects(1, 'ACCOUNT_FROZEN');
  });

  it('refuses a frozen source and an account never opened', () => {
    given({ A: [opened('A'), deposited('A', 500n), frozen('A')], B: [opened('B')] })
      .when([leg(0, 'A', 'B', 1n)])
      .thenRejects(0, 'ACCOUNT_FROZEN');
    given({ B: [opened('B')] })
      .when([leg(0, 'X', 'B', 1n)])
      .thenRejects(0, 'ACCOUNT_NOT_FOUND');
  });
});

describe('settleTransfer', () => {
  it('records a declined credit as a failed transfer that moves nothing', () => {
    const source = [opened('A'), deposited('A', 10n)].reduce(evolveAccount, initialAccountState);
    const destination = [opened('B'), frozen('B')].reduce(evolveAccount, initialAccountState);
    const settled = settleTransfer(leg(0, 'A', 'B', 5n), initialTransferState, source, destination);
    assert.ok(settled.ok);
    assert.equal(settled.completes, false);
    assert.deepEqual(settled.debit, []);
    assert.deepEqual(
      settled.progress.map((e) => e.type),
      ['TransferFailed'],
    );
    assert.equal(settled.credit[0]?.type, 'TransferCreditDeclined');
  });
});

const ACCOUNTS = ['A', 'B', 'C', 'D'] as const;

/** Accounts with random balances, some frozen, one in another currency. */
const accountsArb = fc
  .record({
    balances: fc.tuple(...ACCOUNTS.map(() => fc.bigInt({ min: 0n, max: 1_000n }))),
    frozen: fc.subarray([...ACCOUNTS], { maxLength: 1 }),
    otherCurrency: fc.subarray([...ACCOUNTS], { maxLength: 1 }),
  })
  .map(({ balances, frozen: frozenIds, otherCurrency }) => {
    const accounts = new Map<string, AccountState>();
    ACCOUNTS.forEach((id, i) => {
      const events = [
        opened(id, otherCurrency.includes(id) ? 'GBP' : 'EUR'),
        ...(balances[i] === 0n ? [] : [deposited(id, balances[i] ?? 0n)]),
        ...(frozenIds.includes(id) ? [frozen(id)] : []),
      ];
      accounts.set(id, events.reduce(evolveAccount, initialAccountState));
    });
    return accounts;
  });

const legsArb = (accounts: ReadonlyMap<string, AccountState>) =>
  fc
    .array(
      fc.record({
        from: fc.constantFrom(...ACCOUNTS),
        to: fc.constantFrom(...ACCOUNTS),
        amount: fc.bigInt({ min: 1n, max: 600n }),
      }),
      { minLength: 1, maxLength: 12 },
    )
    .map((raw) =>
      raw.map(({ from, to, amount }, index) => {
        const currency = (id: string): Currency => {
          const state = accounts.get(id);
          return state && state.status !== 'none' ? state.currency : 'EUR';
        };
        return leg(index, from, to, amount, { from: currency(from), to: currency(to) });
      }),
    );

const batchArb = accountsArb.chain((accounts) =>
  legsArb(accounts).map((legs) => ({ accounts, legs })),
);

const total = (accounts: ReadonlyMap<string, AccountState>): bigint =>
  [...accounts.values()].reduce((sum, state) => sum + balanceOf(state), 0n);

describe('atomic transfer batch (properties)', () => {
  it('conserves money for any batch', () => {
    fc.assert(
      fc.property(batchArb, ({ accounts, legs }) => {
        const decided = decideAtomicBatch(legs, accounts, () => initialTransferState);
        if (decided.ok) assert.equal(total(decided.accounts), total(accounts));
      }),
      { numRuns: 500 },
    );
  });

  it('changes every listed account by its legs, or refuses and changes none', () => {
    fc.assert(
      fc.property(batchArb, ({ accounts, legs }) => {
        const decided = decideAtomicBatch(legs, accounts, () => initialTransferState);
        if (!decided.ok) {
          // A refusal carries no new state at all: nothing to record on any account.
          assert.ok(!('accounts' in decided) && !('legs' in decided));
          assert.ok(decided.index >= 0 && decided.index < legs.length);
          return;
        }
        assert.equal(decided.legs.length, legs.length);
        const net = new Map<string, bigint>();
        for (const { data } of legs) {
          net.set(data.fromAccountId, (net.get(data.fromAccountId) ?? 0n) - data.amount);
          net.set(data.toAccountId, (net.get(data.toAccountId) ?? 0n) + data.amount);
        }
        for (const id of ACCOUNTS) {
          const before = balanceOf(accounts.get(id));
          assert.equal(balanceOf(decided.accounts.get(id)), before + (net.get(id) ?? 0n), id);
          assert.ok(balanceOf(decided.accounts.get(id)) >= 0n, `${id} never goes below zero`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses exactly when some leg could not be paid on what the earlier legs left', () => {
    fc.assert(
      fc.property(batchArb, ({ accounts, legs }) => {
        const decided = decideAtomicBatch(legs, accounts, () => initialTransferState);
        // Replays the batch leg by leg with the single-transfer rule: the first that fails is the
        // batch's refusal.
        let current = new Map(accounts);
        for (const [index, command] of legs.entries()) {
          const { fromAccountId, toAccountId } = command.data;
          const at = (id: string) => current.get(id) ?? initialAccountState;
          const settled = settleTransfer(
            command,
            initialTransferState,
            at(fromAccountId),
            at(toAccountId),
          );
          if (!settled.ok || !settled.completes) {
            assert.ok(!decided.ok, `leg ${index} fails alone, so the batch must`);
            assert.equal(decided.index, index);
            return;
          }
          current = new Map(current);
          current.set(fromAccountId, settled.debit.reduce(evolveAccount, at(fromAccountId)));
          current.set(toAccountId, settled.credit.reduce(evolveAccount, at(toAccountId)));
        }
        assert.ok(decided.ok, 'every leg settles alone in turn, so the batch applies');
      }),
      { numRuns: 300 },
    );
  });
});

const independent = (command: RequestTransferCommand): RequestTransferCommand => {
  const { batch } = command.data;
  if (batch === undefined) throw new Error('a batch leg without its batch');
  return { ...command, data: { ...command.data, batch: { ...batch, mode: 'independent' } } };
};

/** Each leg's outcome as an independent batch decides it: completed, or failed with its code. */
const outcomes = (decided: IndependentBatchDecision): string[] =>
  decided.legs.map((l) => {
    if (l.ok && l.completes) return 'completed';
    const failed = l.progress.find((e) => e.type === 'TransferFailed');
    return `failed ${failed?.type === 'TransferFailed' ? failed.data.reason : '?'}`;
  });

describe('independent transfer batch (given / when / then)', () => {
  const histories = (): Record<string, AccountState> =>
    Object.fromEntries(
      Object.entries({
        A: [opened('A'), deposited('A', 500n)],
        B: [opened('B')],
        F: [opened('F'), frozen('F')],
        G: [opened('G', 'GBP')],
      }).map(([id, events]) => [id, events.reduce(evolveAccount, initialAccountState)]),
    );
  const decide = (legs: readonly RequestTransferCommand[]) =>
    decideIndependentBatch(
      legs.map(independent),
      new Map(Object.entries(histories())),
      () => initialTransferState,
    );

  it('applies the legs that can be paid and fails the others, each with its code', () => {
    const decided = decide([
      leg(0, 'A', 'B', 300n),
      leg(1, 'B', 'A', 301n),
      leg(2, 'A', 'F', 10n),
      leg(3, 'A', 'G', 1n, { to: 'GBP' }),
      leg(4, 'B', 'A', 300n),
    ]);
    assert.deepEqual(outcomes(decided), [
      'completed',
      'failed INSUFFICIENT_FUNDS',
      'failed ACCOUNT_FROZEN',
      'failed CURRENCY_MISMATCH',
      'completed',
    ]);
    assert.equal(decided.status, 'partial');
    assert.equal(balanceOf(decided.accounts.get('A')), 500n);
    assert.equal(balanceOf(decided.accounts.get('B')), 0n);
  });

  it('records a refused leg as a failed transfer of the batch that touches no account', () => {
    const [refused] = decide([leg(0, 'B', 'A', 1n)]).legs;
    assert.ok(refused && !refused.ok);
    assert.deepEqual(
      [...refused.requested, ...refused.progress].map((e) => e.type),
      ['TransferRequested', 'TransferFailed'],
    );
    assert.equal(
      refused.requested[0]?.type === 'TransferRequested' && refused.requested[0].data.batchMode,
      'independent',
    );
  });

  it('is completed when every leg applies and failed when none does', () => {
    assert.equal(decide([leg(0, 'A', 'B', 1n)]).status, 'completed');
    assert.equal(decide([leg(0, 'B', 'A', 1n), leg(1, 'A', 'A', 1n)]).status, 'failed');
  });
});

describe('independent transfer batch (properties)', () => {
  it('conserves money, and changes each account by the legs that applied only', () => {
    fc.assert(
      fc.property(batchArb, ({ accounts, legs }) => {
        const decided = decideIndependentBatch(
          legs.map(independent),
          accounts,
          () => initialTransferState,
        );
        assert.equal(total(decided.accounts), total(accounts));
        assert.equal(decided.legs.length, legs.length);
        const net = new Map<string, bigint>();
        for (const l of decided.legs) {
          if (!l.ok || !l.completes) continue;
          const { fromAccountId, toAccountId, amount } = l.command.data;
          net.set(fromAccountId, (net.get(fromAccountId) ?? 0n) - amount);
          net.set(toAccountId, (net.get(toAccountId) ?? 0n) + amount);
        }
        for (const id of ACCOUNTS) {
          const after = balanceOf(decided.accounts.get(id));
          assert.equal(after, balanceOf(accounts.get(id)) + (net.get(id) ?? 0n), id);
          assert.ok(after >= 0n, `${id} never goes below zero`);
        }
        const completed = decided.legs.filter((l) => l.ok && l.completes).length;
        const expected =
          completed === legs.length ? 'completed' : completed === 0 ? 'failed' : 'partial';
        assert.equal(decided.status, expected);
      }),
      { numRuns: 500 },
    );
  });

  it('applies what an atomic batch applies when that one is accepted', () => {
    fc.assert(
      fc.property(batchArb, ({ accounts, legs }) => {
        const atomic = decideAtomicBatch(legs, accounts, () => initialTransferState);
        if (!atomic.ok) return;
        const decided = decideIndependentBatch(
          legs.map(independent),
          accounts,
          () => initialTransferState,
        );
        assert.equal(decided.status, 'completed');
        for (const id of ACCOUNTS)
          assert.equal(balanceOf(decided.accounts.get(id)), balanceOf(atomic.accounts.get(id)));
      }),
      { numRuns: 300 },
    );
  });
});
