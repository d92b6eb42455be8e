import { toBigInt } from '@bank/platform';

export interface StatementTotals {
  readonly opening: bigint;
  readonly closing: bigint;
  readonly totalIn: bigint;
  readonly totalOut: bigint;
  /** opening + in − out = closing: false only when the ledger's running balances have a hole. */
  readonly balanced: boolean;
}

/**
 * Totals in bigint minor units. The closing balance is the ledger's own (balance_after of the
 * period's last entry), not a sum of ours, so the statement says exactly what the ledger says.
 */
export function statementTotals(
  openingBalance: bigint,
  entries: readonly { readonly amount: string; readonly balance_after: string }[],
): StatementTotals {
  let totalIn = 0n;
  let totalOut = 0n;
  for (const entry of entries) {
    const amount = toBigInt(entry.amount);
    if (amount >= 0n) totalIn += amount;
    else totalOut -= amount;
  }
  const last = entries.at(-1);
  const closing = last ? toBigInt(last.balance_after) : openingBalance;
  return {
    opening: openingBalance,
    closing,
    totalIn,
    totalOut,
    balanced: openingBalance + totalIn - totalOut === closing,
  };
}
