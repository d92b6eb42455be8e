import type { AccountState } from './account.js';
import type { Rejection } from './decision.js';
import type { TransferEvent } from './events.js';
import {
  decideTransfer,
  reversibleAmount,
  type RequestTransferCommandData,
  type TransferState,
} from './transfer.js';
import {
  mustComplete,
  settleTransfer,
  type SettledLeg,
  type SettlementStream,
} from './transfer-batch.js';

/** A reversal as asked for: the new transfer's id, and the amount (absent: all that is left). */
export type ReverseTransferCommand = {
  readonly type: 'ReverseTransfer';
  readonly data: {
    readonly transferId: string;
    readonly reversalId: string;
    readonly amount?: bigint;
    readonly reference: string;
  };
};

export type ReversalDecision =
  | {
      readonly ok: true;
      /** TransferReversed, on the original transfer's stream. */
      readonly original: readonly TransferEvent[];
      /** The reversal itself: a completed transfer from the original destination to its source. */
      readonly reversal: SettledLeg;
    }
  | {
      readonly ok: false;
      readonly rejection: Rejection;
      readonly on: SettlementStream | 'original';
    };

/**
 * Decides a reversal: a new transfer moving `amount` (by default what is left to reverse) back
 * from the original's destination to its source, recorded together with TransferReversed on the
 * original. Refused when the original is not a completed transfer, when reversals would move back
 * more than it moved (REVERSAL_EXCEEDS_ORIGINAL), when the destination cannot pay, or when the
 * source would decline the credit: a reversal moves the money or nothing.
 */
export function decideReversal(
  command: ReverseTransferCommand,
  original: TransferState,
  reversal: TransferState,
  payer: AccountState,
  payee: AccountState,
): ReversalDecision {
  if (original.status === 'none') {
    return { ok: false, rejection: notFound, on: 'original' };
  }
  const { reversalId, reference } = command.data;
  const amount = command.data.amount ?? reversibleAmount(original);
  const recorded = decideTransfer(
    { type: 'RecordReversal', data: { reversalId, amount } },
    original,
  );
  if (!recorded.ok) return { ok: false, rejection: recorded.rejection, on: 'original' };
  const data: RequestTransferCommandData = {
    transferId: reversalId,
    fromAccountId: original.toAccountId,
    toAccountId: original.fromAccountId,
    amount,
    reference,
    reversalOf: original.transferId,
    fromCurrency: original.currency,
    toCurrency: original.currency,
  };
  const settled = mustComplete(
    settleTransfer({ type: 'RequestTransfer', data }, reversal, payer, payee),
  );
  if (!settled.ok) return settled;
  return {
    ok: true,
    original: recorded.events,
    reversal: { ...settled, command: { type: 'RequestTransfer', data } },
  };
}

const notFound: Rejection = { code: 'TRANSFER_NOT_FOUND', message: 'transfer not found' };
