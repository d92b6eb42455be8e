import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { TransferEvent } from './events.js';
import {
  REFUND_FOUND_ON_RECOVERY,
  decideTransferSteps,
  foldTransfer,
  nextTransferStep,
  type TransferCommand,
  type TransferStatus,
} from './transfer.js';
import { MAX_AMOUNT_MINOR, type Currency } from './money.js';
import { transferSpec } from './testing/decider-spec.js';

const transferId = 'tr-1';

const request = (
  overrides: Partial<{
    fromAccountId: string;
    toAccountId: string;
    amount: bigint;
    fromCurrency: Currency;
    toCurrency: Currency;
  }> = {},
): TransferCommand => ({
  type: 'RequestTransfer',
  data: {
    transferId,
    fromAccountId: 'acc-a',
    toAccountId: 'acc-b',
    amount: 250n,
    reference: 'rent',
    fromCurrency: 'EUR',
    toCurrency: 'EUR',
    ...overrides,
  },
});
const recordDebited: TransferCommand = { type: 'RecordSourceDebited', data: {} };
const recordCredited: TransferCommand = { type: 'RecordDestinationCredited', data: {} };
const recordRefunded: TransferCommand = {
  type: 'RecordSourceRefunded',
  data: { reason: 'ACCOUNT_CLOSED' },
};
const complete: TransferCommand = { type: 'CompleteTransfer', data: {} };
const fail: TransferCommand = { type: 'FailTransfer', data: { reason: 'INSUFFICIENT_FUNDS' } };

const requested: TransferEvent = {
  type: 'TransferRequested',
  data: {
    transferId,
    fromAccountId: 'acc-a',
    toAccountId: 'acc-b',
    amount: 250n,
    currency: 'EUR',
    reference: 'rent',
  },
};
const debited: TransferEvent = { type: 'TransferSourceDebited', data: { transferId } };
const credited: TransferEvent = { type: 'TransferDestinationCredited', data: { transferId } };
const refunded: TransferEvent = {
  type: 'TransferSourceRefunded',
  data: { transferId, reason: 'ACCOUNT_CLOSED' },
};
const completed: TransferEvent = { type: 'TransferCompleted', data: { transferId } };
const failedAfterRefund: TransferEvent = {
  type: 'TransferFailed',
  data: { transferId, reason: 'ACCOUNT_CLOSED' },
};
const failedOnDebit: TransferEvent = {
  type: 'TransferFailed',
  data: { transferId, reason: 'INSUFFICIENT_FUNDS' },
};

/** A history that leads to each status. */
const HISTORY: Record<TransferStatus, readonly TransferEvent[]> = {
  requested: [requested],
  source_debited: [requested, debited],
  destination_credited: [requested, debited, credited],
  source_refunded: [requested, debited, refunded],
  completed: [requested, debited, credited, completed],
  failed: [requested, failedOnDebit],
};

describe('transfer: request', () => {
  it('records a valid request with the currency', () => {
    transferSpec.given([]).when(request()).then([requested]);
  });

  it('refuses a transfer to the same account', () => {
    transferSpec
      .given([])
      .when(request({ toAccountId: 'acc-a' }))
      .thenRejects('SAME_ACCOUNT');
  });

  it('refuses different currencies', () => {
    transferSpec
      .given([])
      .when(request({ toCurrency: 'USD' }))
      .thenRejects('CURRENCY_MISMATCH');
  });

  it('refuses a zero, negative or oversized amount', () => {
    for (const amount of [0n, -1n, MAX_AMOUNT_MINOR + 1n]) {
      transferSpec.given([]).when(request({ amount })).thenRejects('INVALID_AMOUNT');
    }
    transferSpec
      .given([])
      .when(request({ amount: MAX_AMOUNT_MINOR }))
      .decision();
  });

  it('refuses a second request for the same transfer id', () => {
    for (const history of Object.values(HISTORY)) {
      transferSpec.given(history).when(request()).thenRejects('TRANSFER_ALREADY_EXISTS');
    }
  });

  it('knows no steps before the request', () => {
    for (const command of [recordDebited, recordCredited, recordRefunded, complete, fail]) {
      transferSpec.given([]).when(command).thenRejects('TRANSFER_NOT_FOUND');
    }
  });
});

describe('transfer: each step only from its allowed states', () => {
  const cases: {
    command: TransferCommand;
    from: readonly TransferStatus[];
    event: TransferEvent;
  }[] = [
    { command: recordDebited, from: ['requested'], event: debited },
    { command: recordCredited, from: ['source_debited'], event: credited },
    { command: recordRefunded, from: ['source_debited'], event: refunded },
    { command: complete, from: ['destination_credited'], event: completed },
    { command: fail, from: ['requested', 'source_refunded'], event: failedOnDebit },
  ];
  const statuses = Object.keys(HISTORY) as TransferStatus[];

  for (const { command, from, event } of cases) {
    it(`${command.type} from ${from.join(', ')} only`, () => {
      for (const status of statuses) {
        const spec = transferSpec.given(HISTORY[status]).when(command);
        if (from.includes(status)) spec.then([event]);
        else spec.thenRejects('TRANSFER_STATE_INVALID');
      }
    });
  }

  it('ends failed with the refund reason after a refund', () => {
    transferSpec
      .given(HISTORY.source_refunded)
      .when({ type: 'FailTransfer', data: { reason: 'ACCOUNT_CLOSED' } })
      .thenState((state) => {
        assert.equal(state.status, 'failed');
        assert.equal(state.failureReason, 'ACCOUNT_CLOSED');
      });
  });
});

describe('decideTransferSteps', () => {
  it('records a whole drive in one decision, each step on the state the previous left', () => {
    const decision = decideTransferSteps(
      [recordDebited, recordCredited, complete],
      foldTransfer(HISTORY.requested),
    );
    assert.deepEqual(decision, { ok: true, events: [debited, credited, completed] });
  });

  it('records the refund path the same way', () => {
    const decision = decideTransferSteps(
      [recordDebited, recordRefunded, { type: 'FailTransfer', data: { reason: 'ACCOUNT_CLOSED' } }],
      foldTransfer(HISTORY.requested),
    );
    assert.deepEqual(decision, { ok: true, events: [debited, refunded, failedAfterRefund] });
  });

  it('answers the first refusal and nothing else', () => {
    // Already completed by another driver: the first step is refused, no event survives.
    const decision = decideTransferSteps(
      [recordDebited, recordCredited, complete],
      foldTransfer(HISTORY.completed),
    );
    assert.equal(decision.ok, false);
    if (!decision.ok) assert.equal(decision.rejection.code, 'TRANSFER_STATE_INVALID');
    // A refusal in the middle drops the accepted steps before it too.
    const middle = decideTransferSteps([recordDebited, complete], foldTransfer(HISTORY.requested));
    assert.equal(middle.ok, false);
  });
});

describe('transfer: evolve', () => {
  it('folds each history to its status', () => {
    for (const [status, history] of Object.entries(HISTORY)) {
      assert.equal(foldTransfer(history).status, status);
    }
    assert.deepEqual(foldTransfer([debited]), { status: 'none' });
  });

  it('keeps the request details and the failure reason', () => {
    const state = foldTransfer([requested, debited, refunded, failedAfterRefund]);
    assert.deepEqual(state, {
      status: 'failed',
      transferId,
      fromAccountId: 'acc-a',
      toAccountId: 'acc-b',
      amount: 250n,
      currency: 'EUR',
      reference: 'rent',
      failureReason: 'ACCOUNT_CLOSED',
      reversedAmount: 0n,
    });
  });

  it('adds up what reversals of a completed transfer moved back', () => {
    const completed = foldTransfer(HISTORY.completed);
    const reversed = (amount: bigint, reversalId: string) => ({
      type: 'TransferReversed' as const,
      data: { transferId, reversalId, amount },
    });
    const state = foldTransfer([reversed(100n, 'r-1'), reversed(50n, 'r-2')], completed);
    assert.ok(state.status === 'completed');
    assert.equal(state.reversedAmount, 150n);
  });
});

describe('nextTransferStep', () => {
  const active = (status: TransferStatus) => {
    const state = foldTransfer(HISTORY[status]);
    assert.ok(state.status !== 'none');
    return state;
  };

  it('names the next step for each status', () => {
    assert.deepEqual(nextTransferStep(active('requested')), { kind: 'debit-source' });
    assert.deepEqual(nextTransferStep(active('source_debited')), { kind: 'credit-destination' });
    assert.deepEqual(nextTransferStep(active('destination_credited')), { kind: 'complete' });
    assert.deepEqual(nextTransferStep(active('source_refunded')), {
      kind: 'fail',
      reason: 'ACCOUNT_CLOSED',
    });
    assert.deepEqual(nextTransferStep(active('completed')), { kind: 'done' });
    assert.deepEqual(nextTransferStep(active('failed')), { kind: 'done' });
  });

  it('records a refund that landed unrecorded instead of crediting (crash recovery)', () => {
    assert.deepEqual(nextTransferStep(active('source_debited'), { refunded: true }), {
      kind: 'refund-source',
      reason: REFUND_FOUND_ON_RECOVERY,
    });
    assert.deepEqual(nextTransferStep(active('source_debited'), { refunded: false }), {
      kind: 'credit-destination',
    });
    // Only source_debited looks at the source legs.
    assert.deepEqual(nextTransferStep(active('source_refunded'), { refunded: true }), {
      kind: 'fail',
      reason: 'ACCOUNT_CLOSED',
    });
  });
});
