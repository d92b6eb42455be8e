import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evolveAccount, initialAccountState, type AccountState } from './account.js';
import type { RejectionCode } from './decision.js';
import type { AccountEvent, TransferEvent } from './events.js';
import { decideReversal, type ReverseTransferCommand } from './reversal.js';
import { stringify } from './testing/decider-spec.js';
import { evolveTransfer, initialTransferState, type TransferState } from './transfer.js';

const account = (id: string, ...events: AccountEvent[]): AccountState =>
  [
    {
      type: 'AccountOpened',
      data: {
        accountId: id,
        ownerId: 'o',
        currency: 'EUR',
        accountType: 'checking',
        overdraftLimit: 0n,
      },
    } satisfies AccountEvent,
    ...events,
  ].reduce(evolveAccount, initialAccountState);

const requested: TransferEvent = {
  type: 'TransferRequested',
  data: {
    transferId: 'T',
    fromAccountId: 'S',
    toAccountId: 'D',
    amount: 1000n,
    currency: 'EUR',
    reference: '',
  },
};
const completed: TransferEvent[] = [
  requested,
  { type: 'TransferSourceDebited', data: { transferId: 'T' } },
  { type: 'TransferDestinationCredited', data: { transferId: 'T' } },
  { type: 'TransferCompleted', data: { transferId: 'T' } },
];
const reversed = (amount: bigint, reversalId = 'R0'): TransferEvent => ({
  type: 'TransferReversed',
  data: { transferId: 'T', reversalId, amount },
});
const transfer = (...events: TransferEvent[]): TransferState =>
  events.reduce(evolveTransfer, initialTransferState);

const reverse = (amount?: bigint): ReverseTransferCommand => ({
  type: 'ReverseTransfer',
  data: {
    transferId: 'T',
    reversalId: 'R',
    reference: 'refund',
    ...(amount === undefined ? {} : { amount }),
  },
});

/** The destination holds what the original brought it, the source what was left. */
const funded = { type: 'FundsDeposited', data: { accountId: 'D', amount: 1000n } } as const;

/** given (the original's timeline) / when (a reversal) / then (its transfer or its refusal). */
function given(original: TransferState, payer = account('D', funded), payee = account('S')) {
  return {
    when(command: ReverseTransferCommand) {
      const decided = decideReversal(command, original, initialTransferState, payer, payee);
      return {
        thenMovesBack(amount: bigint) {
          assert.ok(decided.ok, `expected the reversal to be accepted: ${stringify(decided)}`);
          const { data } = decided.reversal.command;
          assert.deepEqual(
            {
              from: data.fromAccountId,
              to: data.toAccountId,
              amount: data.amount,
              of: data.reversalOf,
            },
            { from: 'D', to: 'S', amount, of: 'T' },
          );
          assert.deepEqual(decided.original, [
            { type: 'TransferReversed', data: { transferId: 'T', reversalId: 'R', amount } },
          ]);
          assert.ok(decided.reversal.completes);
          assert.equal(decided.reversal.requested[0]?.type, 'TransferRequested');
        },
        thenRejects(code: RejectionCode) {
          assert.ok(!decided.ok, `expected the reversal to be refused: ${stringify(decided)}`);
          assert.equal(decided.rejection.code, code);
        },
      };
    },
  };
}

describe('reversal (given / when / then)', () => {
  it('moves back all that is left by default, or the amount asked for', () => {
    given(transfer(...completed))
      .when(reverse())
      .thenMovesBack(1000n);
    given(transfer(...completed))
      .when(reverse(250n))
      .thenMovesBack(250n);
    given(transfer(...completed, reversed(400n)))
      .when(reverse())
      .thenMovesBack(600n);
  });

  it('never moves back more than the original moved', () => {
    given(transfer(...completed))
      .when(reverse(1001n))
      .thenRejects('REVERSAL_EXCEEDS_ORIGINAL');
    given(transfer(...completed, reversed(400n), reversed(600n, 'R1')))
      .when(reverse())
      .thenRejects('REVERSAL_EXCEEDS_ORIGINAL');
    given(transfer(...completed, reversed(999n)))
      .when(reverse(2n))
      .thenRejects('REVERSAL_EXCEEDS_ORIGINAL');
  });

  it('reverses only a completed transfer', () => {
    const failed: TransferEvent = {
      type: 'TransferFailed',
      data: { transferId: 'T', reason: 'ACCOUNT_FROZEN' },
    };
    given(transfer(requested, failed)).when(reverse()).thenRejects('TRANSFER_NOT_REVERSIBLE');
    given(transfer(requested)).when(reverse()).thenRejects('TRANSFER_NOT_REVERSIBLE');
    given(initialTransferState).when(reverse()).thenRejects('TRANSFER_NOT_FOUND');
  });

  it('is refused when the destination cannot pay or the source would decline the credit', () => {
    given(transfer(...completed), account('D'))
      .when(reverse())
      .thenRejects('INSUFFICIENT_FUNDS');
    const frozen = { type: 'AccountFrozen', data: { accountId: 'S', reason: 'review' } } as const;
    given(transfer(...completed), account('D', funded), account('S', frozen))
      .when(reverse())
      .thenRejects('ACCOUNT_FROZEN');
  });
});

describe('reversal (properties)', () => {
  it('reversals in any amounts never move back more than the original, in total', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: 1200n }), { maxLength: 10 }), (asks) => {
        let original = transfer(...completed);
        let payer = account('D', funded);
        let payee = account('S');
        let moved = 0n;
        for (const [i, amount] of asks.entries()) {
          const decided = decideReversal(
            {
              type: 'ReverseTransfer',
              data: { transferId: 'T', reversalId: `R${i}`, reference: '', amount },
            },
            original,
            initialTransferState,
            payer,
            payee,
          );
          assert.equal(decided.ok, moved + amount <= 1000n, `ask ${amount} after ${moved}`);
          if (!decided.ok) continue;
          moved += amount;
          original = decided.original.reduce(evolveTransfer, original);
          payer = decided.reversal.debit.reduce(evolveAccount, payer);
          payee = decided.reversal.credit.reduce(evolveAccount, payee);
        }
        assert.ok(original.status !== 'none' && original.reversedAmount === moved);
        const balance = (s: AccountState) => (s.status === 'none' ? 0n : s.balance);
        assert.equal(balance(payer) + balance(payee), 1000n, 'money is conserved');
        assert.equal(balance(payee), moved);
      }),
      { numRuns: 300 },
    );
  });
});
