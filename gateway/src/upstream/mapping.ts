import type { commandTypes, queryTypes } from '@bank/proto';
import { AppError } from '@bank/platform';

/** The JSON shapes of the public API (see src/schemas/shared.ts), from the gRPC replies. */

export interface AccountJson {
  id: string;
  ownerId: string;
  currency: string;
  type: string;
  status: string;
  balance: string;
  available: string;
  held: string;
  overdraftLimit: string;
  revision: string;
  openedAt?: string;
  updatedAt?: string;
}

const optional = <K extends string>(
  key: K,
  value: string | undefined,
): Partial<Record<K, string>> => (value ? ({ [key]: value } as Record<K, string>) : {});

export function accountJson(
  account: commandTypes.AccountSnapshot__Output | queryTypes.Account__Output,
): AccountJson {
  const withTimes = account as Partial<queryTypes.Account__Output>;
  return {
    id: account.accountId,
    ownerId: account.ownerId,
    currency: account.currency,
    type: account.type,
    status: account.status,
    balance: account.balance,
    available: account.available,
    held: account.held,
    overdraftLimit: account.overdraftLimit,
    revision: account.revision,
    ...optional('openedAt', withTimes.openedAt),
    ...optional('updatedAt', withTimes.updatedAt),
  };
}

/** A command reply without its account is a broken upstream, not a client problem. */
function requireAccount(
  reply: commandTypes.AccountReply__Output,
): commandTypes.AccountSnapshot__Output {
  if (!reply.account) throw new AppError('internal', 'INTERNAL', 'command reply without account');
  return reply.account;
}

export const accountCommandJson = (reply: commandTypes.AccountReply__Output) => ({
  account: accountJson(requireAccount(reply)),
  position: reply.position,
});

export const holdJson = (reply: commandTypes.AccountReply__Output) => ({
  holdId: reply.holdId,
  account: accountJson(requireAccount(reply)),
  position: reply.position,
});

/** A capture's answer: the account, and what the capture released of the hold. */
export const holdCaptureJson = (reply: commandTypes.AccountReply__Output) => ({
  ...accountCommandJson(reply),
  released: reply.released,
});

export const transferResultJson = (reply: commandTypes.TransferReply__Output) => ({
  id: reply.transferId,
  status: reply.status,
  ...optional('failureReason', reply.failureReason),
  amount: reply.amount,
  currency: reply.currency,
  ...optional('reversalOf', reply.reversalOf),
  position: reply.position,
});

/** A batch and its legs, from the command's reply or the query's answer. */
const transferBatchJson = (batch: {
  readonly batchId: string;
  readonly mode: string;
  readonly status: string;
  readonly transfers: ReadonlyArray<{
    readonly index: number;
    readonly transferId: string;
    readonly status: string;
    readonly code?: string;
  }>;
}) => ({
  id: batch.batchId,
  mode: batch.mode,
  status: batch.status,
  transfers: batch.transfers.map((leg) => ({
    index: leg.index,
    id: leg.transferId,
    status: leg.status,
    ...optional('code', leg.code),
  })),
});

export const transferBatchResultJson = (reply: commandTypes.TransferBatchReply__Output) => ({
  ...transferBatchJson(reply),
  position: reply.position,
});

export const transferBatchViewJson = (batch: queryTypes.TransferBatch__Output) =>
  transferBatchJson(batch);

export const transferJson = (transfer: queryTypes.Transfer__Output) => ({
  id: transfer.transferId,
  fromAccountId: transfer.fromAccountId,
  toAccountId: transfer.toAccountId,
  amount: transfer.amount,
  currency: transfer.currency,
  ...optional('reference', transfer.reference),
  status: transfer.status,
  ...optional('failureReason', transfer.failureReason),
  ...optional('batchId', transfer.batchId),
  ...optional('reversalOf', transfer.reversalOf),
  reversedAmount: transfer.reversedAmount,
  history: transfer.history.map((change) => ({
    status: change.status,
    at: change.at,
    ...optional('reason', change.reason),
  })),
  ...optional('requestedAt', transfer.requestedAt),
  ...optional('updatedAt', transfer.updatedAt),
});

export const ledgerEntryJson = (entry: queryTypes.LedgerEntry__Output) => ({
  id: entry.entryId,
  accountId: entry.accountId,
  type: entry.type,
  amount: entry.amount,
  balanceAfter: entry.balanceAfter,
  currency: entry.currency,
  ...optional('counterpartyAccountId', entry.counterpartyAccountId),
  ...optional('transferId', entry.transferId),
  ...optional('holdId', entry.holdId),
  occurredAt: entry.occurredAt,
  position: entry.position,
});

export const transactionPageJson = (reply: queryTypes.ListTransactionsReply__Output) => ({
  entries: reply.entries.map(ledgerEntryJson),
  nextCursor: reply.nextCursor || null,
});

export const holdViewJson = (hold: queryTypes.Hold__Output) => ({
  id: hold.holdId,
  accountId: hold.accountId,
  currency: hold.currency,
  amount: hold.amount,
  captured: hold.captured,
  released: hold.released,
  status: hold.status,
  ...optional('expiresAt', hold.expiresAt),
  placedAt: hold.placedAt,
  updatedAt: hold.updatedAt,
});

export const holdPageJson = (reply: queryTypes.ListHoldsReply__Output) => ({
  holds: reply.holds.map(holdViewJson),
  nextCursor: reply.nextCursor || null,
});

export const statementJson = (statement: queryTypes.Statement__Output) => ({
  accountId: statement.accountId,
  currency: statement.currency,
  from: statement.from,
  to: statement.to,
  openingBalance: statement.openingBalance,
  closingBalance: statement.closingBalance,
  totalIn: statement.totalIn,
  totalOut: statement.totalOut,
  entries: statement.entries.map(ledgerEntryJson),
});
