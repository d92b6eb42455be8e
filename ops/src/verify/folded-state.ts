import { availableBalance } from '@bank/domain';
import {
  ImpliedViews,
  type ImpliedAccount,
  type ImpliedTransfer,
  type RawEvent,
} from '@bank/read-models';

/** The values verify compares, from the implied views and from the read models. */
export interface AccountFacts {
  readonly exists: boolean;
  readonly status: string;
  readonly balance: bigint;
  readonly held: bigint;
  readonly available: bigint;
  readonly revision: bigint;
  readonly ledgerCount: bigint;
  readonly ledgerSum: bigint;
  readonly currency: string;
}

export interface TransferFacts {
  readonly exists: boolean;
  readonly status: string;
  readonly revision: bigint;
  /** The batch the transfer is a leg of; null for a transfer on its own. */
  readonly batchId: string | null;
  /** How much of the transfer reversals moved back, minor units. */
  readonly reversedAmount: bigint;
}

/** Folds one stream read on its own (the recheck of a difference). */
export function foldOne(events: readonly RawEvent[]): ImpliedViews {
  const folded = new ImpliedViews();
  for (const event of events) folded.apply(event);
  return folded;
}

/** What an account no stream shows looks like. */
export const NO_ACCOUNT: AccountFacts = {
  exists: false,
  status: 'none',
  balance: 0n,
  held: 0n,
  available: 0n,
  revision: -1n,
  ledgerCount: 0n,
  ledgerSum: 0n,
  currency: '',
};

export function accountFacts(entry: ImpliedAccount | undefined): AccountFacts {
  const state = entry?.state;
  if (!entry || !state || state.status === 'none') return NO_ACCOUNT;
  return {
    exists: true,
    status: state.status,
    balance: state.balance,
    held: state.heldTotal,
    available: availableBalance(state),
    revision: entry.revision,
    ledgerCount: entry.ledgerCount,
    ledgerSum: entry.ledgerSum,
    currency: state.currency,
  };
}

/** What a transfer no stream shows looks like. */
export const NO_TRANSFER: TransferFacts = {
  exists: false,
  status: 'none',
  revision: -1n,
  batchId: null,
  reversedAmount: 0n,
};

export function transferFacts(entry: ImpliedTransfer | undefined): TransferFacts {
  if (!entry || entry.state.status === 'none') return NO_TRANSFER;
  const { status, batchId, reversedAmount } = entry.state;
  return {
    exists: true,
    status,
    revision: entry.revision,
    batchId: batchId ?? null,
    reversedAmount,
  };
}
