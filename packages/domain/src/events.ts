import type { Currency } from './money.js';

/**
 * Domain events: a tagged union per aggregate. Amounts are bigint minor units in memory and
 * decimal-free integer strings once serialised (see codec.ts).
 */

export type AccountType = 'checking' | 'savings';
export type AccountStatus = 'open' | 'frozen' | 'closed';

export type AccountOpened = {
  type: 'AccountOpened';
  data: {
    accountId: string;
    ownerId: string;
    currency: Currency;
    accountType: AccountType;
    overdraftLimit: bigint;
  };
};
export type FundsDeposited = {
  type: 'FundsDeposited';
  data: { accountId: string; amount: bigint };
};
export type FundsWithdrawn = {
  type: 'FundsWithdrawn';
  data: { accountId: string; amount: bigint };
};
export type HoldPlaced = {
  type: 'HoldPlaced';
  data: { accountId: string; holdId: string; amount: bigint; expiresAt: string | null };
};
/** A capture takes `amount` (≤ the hold) and closes the hold; any remainder is released. */
export type HoldCaptured = {
  type: 'HoldCaptured';
  data: { accountId: string; holdId: string; amount: bigint; released: bigint };
};
export type HoldReleased = {
  type: 'HoldReleased';
  data: { accountId: string; holdId: string; amount: bigint };
};
export type HoldExpired = {
  type: 'HoldExpired';
  data: { accountId: string; holdId: string; amount: bigint };
};
export type AccountFrozen = { type: 'AccountFrozen'; data: { accountId: string; reason: string } };
export type AccountUnfrozen = { type: 'AccountUnfrozen'; data: { accountId: string } };
export type OverdraftLimitChanged = {
  type: 'OverdraftLimitChanged';
  data: { accountId: string; overdraftLimit: bigint };
};
export type AccountClosed = { type: 'AccountClosed'; data: { accountId: string } };
export type TransferDebited = {
  type: 'TransferDebited';
  data: { accountId: string; transferId: string; counterpartyAccountId: string; amount: bigint };
};
export type TransferCredited = {
  type: 'TransferCredited';
  data: { accountId: string; transferId: string; counterpartyAccountId: string; amount: bigint };
};
export type TransferRefunded = {
  type: 'TransferRefunded';
  data: { accountId: string; transferId: string; counterpartyAccountId: string; amount: bigint };
};

/**
 * A transfer leg this account refused (insufficient funds, frozen, closed). Recording the refusal
 * makes it final: a second driver of the same transfer (a recovery worker on another instance)
 * finds the decision in the stream instead of deciding again on a state that has changed since.
 */
export type TransferDebitDeclined = {
  type: 'TransferDebitDeclined';
  data: {
    accountId: string;
    transferId: string;
    counterpartyAccountId: string;
    amount: bigint;
    reason: string;
  };
};
export type TransferCreditDeclined = {
  type: 'TransferCreditDeclined';
  data: {
    accountId: string;
    transferId: string;
    counterpartyAccountId: string;
    amount: bigint;
    reason: string;
  };
};

export type AccountEvent =
  | AccountOpened
  | FundsDeposited
  | FundsWithdrawn
  | HoldPlaced
  | HoldCaptured
  | HoldReleased
  | HoldExpired
  | AccountFrozen
  | AccountUnfrozen
  | OverdraftLimitChanged
  | AccountClosed
  | TransferDebited
  | TransferCredited
  | TransferRefunded
  | TransferDebitDeclined
  | TransferCreditDeclined;

export type TransferRequested = {
  type: 'TransferRequested';
  data: {
    transferId: string;
    fromAccountId: string;
    toAccountId: string;
    amount: bigint;
    currency: Currency;
    reference: string;
    /** Set on a leg of a transfer batch: the batch, and the leg's 0-based place in it. */
    batchId?: string;
    batchIndex?: number;
    batchMode?: BatchMode;
    /** Set on a reversal: the transfer it moves money back for. */
    reversalOf?: string;
  };
};

/** How a transfer batch applies its legs: `atomic`, all or none; `independent`, each on its own. */
export type BatchMode = 'atomic' | 'independent';
export type TransferSourceDebited = { type: 'TransferSourceDebited'; data: { transferId: string } };
export type TransferDestinationCredited = {
  type: 'TransferDestinationCredited';
  data: { transferId: string };
};
export type TransferSourceRefunded = {
  type: 'TransferSourceRefunded';
  data: { transferId: string; reason: string };
};
export type TransferCompleted = { type: 'TransferCompleted'; data: { transferId: string } };
export type TransferFailed = {
  type: 'TransferFailed';
  data: { transferId: string; reason: string };
};

/** On the original transfer's stream: `amount` of it is moved back by the reversal `reversalId`. */
export type TransferReversed = {
  type: 'TransferReversed';
  data: { transferId: string; reversalId: string; amount: bigint };
};

export type TransferEvent =
  | TransferRequested
  | TransferSourceDebited
  | TransferDestinationCredited
  | TransferSourceRefunded
  | TransferCompleted
  | TransferFailed
  | TransferReversed;

export type BankEvent = AccountEvent | TransferEvent;
export type BankEventType = BankEvent['type'];

export const ACCOUNT_EVENT_TYPES = [
  'AccountOpened',
  'FundsDeposited',
  'FundsWithdrawn',
  'HoldPlaced',
  'HoldCaptured',
  'HoldReleased',
  'HoldExpired',
  'AccountFrozen',
  'AccountUnfrozen',
  'OverdraftLimitChanged',
  'AccountClosed',
  'TransferDebited',
  'TransferCredited',
  'TransferRefunded',
  'TransferDebitDeclined',
  'TransferCreditDeclined',
] as const satisfies readonly AccountEvent['type'][];

export const TRANSFER_EVENT_TYPES = [
  'TransferRequested',
  'TransferSourceDebited',
  'TransferDestinationCredited',
  'TransferSourceRefunded',
  'TransferCompleted',
  'TransferFailed',
  'TransferReversed',
] as const satisfies readonly TransferEvent['type'][];

export const BANK_EVENT_TYPES: readonly BankEventType[] = [
  ...ACCOUNT_EVENT_TYPES,
  ...TRANSFER_EVENT_TYPES,
];

export function isBankEventType(type: string): type is BankEventType {
  return (BANK_EVENT_TYPES as readonly string[]).includes(type);
}

/** Stream naming: one stream per aggregate instance. */
export const accountStream = (accountId: string): string => `account-${accountId}`;
export const transferStream = (transferId: string): string => `transfer-${transferId}`;

/** Who issued a command. */
export type Actor = { id: string; roles: readonly string[] };

/** Metadata stored beside every event. */
export type EventMetadata = {
  eventId: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  actor: Actor;
  occurredAt: string;
  schemaVersion: number;
  /** W3C trace context of the append, when the command service traces: links the projection's spans to the command's trace. */
  traceparent?: string;
};
