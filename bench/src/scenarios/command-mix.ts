import { randomUUID } from 'node:crypto';
import type { HttpRequestSpec } from '../load/http-load.js';

/** The command mix: 40 % transfers, 40 % deposits, 20 % withdrawals; small amounts, all USD. */
export type MixCommand =
  | {
      readonly kind: 'transfer';
      readonly from: string;
      readonly to: string;
      readonly amount: string;
    }
  | { readonly kind: 'deposit'; readonly account: string; readonly amount: string }
  | { readonly kind: 'withdrawal'; readonly account: string; readonly amount: string };

export const MIX_DESCRIPTION = '40% transfers 0.25, 40% deposits 1.00, 20% withdrawals 0.50 (USD)';

function pick(accounts: readonly string[]): string {
  return accounts[Math.floor(Math.random() * accounts.length)] ?? '';
}

/** The next command of the mix, or of one kind only. */
export function nextCommand(accounts: readonly string[], only?: MixCommand['kind']): MixCommand {
  const roll =
    only === undefined ? Math.random() : { transfer: 0, deposit: 0.4, withdrawal: 0.8 }[only];
  if (roll < 0.4) return { kind: 'transfer', ...twoAccounts(accounts), amount: '0.25' };
  if (roll < 0.8) return { kind: 'deposit', account: pick(accounts), amount: '1.00' };
  return { kind: 'withdrawal', account: pick(accounts), amount: '0.50' };
}

/** The command as a gateway request, with a fresh Idempotency-Key. */
export function commandRequest(command: MixCommand, token: string): HttpRequestSpec {
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'idempotency-key': randomUUID(),
  };
  switch (command.kind) {
    case 'transfer':
      return {
        method: 'POST',
        path: '/v1/transfers',
        headers,
        body: JSON.stringify({
          fromAccountId: command.from,
          toAccountId: command.to,
          amount: command.amount,
        }),
      };
    case 'deposit':
      return {
        method: 'POST',
        path: `/v1/accounts/${command.account}/deposits`,
        headers,
        body: JSON.stringify({ amount: command.amount }),
      };
    case 'withdrawal':
      return {
        method: 'POST',
        path: `/v1/accounts/${command.account}/withdrawals`,
        headers,
        body: JSON.stringify({ amount: command.amount }),
      };
  }
}

/**
 * An atomic batch of `legs` transfers of 0.01 between accounts drawn at random (never one to
 * itself), as a gateway request with a fresh Idempotency-Key.
 */
export function batchRequest(
  accounts: readonly string[],
  legs: number,
  token: string,
): HttpRequestSpec {
  const transfers = Array.from({ length: legs }, () => {
    const { from, to } = twoAccounts(accounts);
    return { fromAccountId: from, toAccountId: to, amount: '0.01' };
  });
  return {
    method: 'POST',
    path: '/v1/transfer-batches',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify({ mode: 'atomic', transfers }),
  };
}

function twoAccounts(accounts: readonly string[]): { from: string; to: string } {
  const from = pick(accounts);
  let to = pick(accounts);
  while (to === from && accounts.length > 1) to = pick(accounts);
  return { from, to };
}
