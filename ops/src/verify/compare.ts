import { formatAmount, isCurrency } from '@bank/domain';
import { NO_ACCOUNT, NO_TRANSFER, type AccountFacts, type TransferFacts } from './folded-state.js';

/** One disagreement between the event store and the read models. */
export interface Difference {
  readonly entity: 'account' | 'transfer' | 'event';
  readonly id: string;
  readonly field: string;
  /** From the event store. */
  readonly expected: string;
  /** From the read models. */
  readonly actual: string;
}

const MONEY_FIELDS = ['balance', 'held', 'available', 'ledgerSum'] as const;
const OTHER_FIELDS = ['status', 'revision', 'ledgerCount'] as const;

export function compareAccount(
  id: string,
  expected: AccountFacts | undefined,
  actual: AccountFacts | undefined,
): Difference[] {
  const e = expected ?? NO_ACCOUNT;
  const a = actual ?? NO_ACCOUNT;
  if (e.exists !== a.exists) {
    return [
      {
        entity: 'account',
        id,
        field: 'exists',
        expected: String(e.exists),
        actual: String(a.exists),
      },
    ];
  }
  if (!e.exists) return [];
  const differences: Difference[] = [];
  for (const field of OTHER_FIELDS) {
    if (e[field] !== a[field])
      differences.push({
        entity: 'account',
        id,
        field,
        expected: String(e[field]),
        actual: String(a[field]),
      });
  }
  for (const field of MONEY_FIELDS) {
    if (e[field] !== a[field]) {
      differences.push({
        entity: 'account',
        id,
        field,
        expected: money(e[field], e.currency),
        actual: money(a[field], e.currency),
      });
    }
  }
  return differences;
}

export function compareTransfer(
  id: string,
  expected: TransferFacts | undefined,
  actual: TransferFacts | undefined,
): Difference[] {
  const e = expected ?? NO_TRANSFER;
  const a = actual ?? NO_TRANSFER;
  if (e.exists !== a.exists)
    return [
      {
        entity: 'transfer',
        id,
        field: 'exists',
        expected: String(e.exists),
        actual: String(a.exists),
      },
    ];
  if (!e.exists) return [];
  const differences: Difference[] = [];
  if (e.status !== a.status)
    differences.push({
      entity: 'transfer',
      id,
      field: 'status',
      expected: e.status,
      actual: a.status,
    });
  if (e.revision !== a.revision) {
    differences.push({
      entity: 'transfer',
      id,
      field: 'revision',
      expected: e.revision.toString(),
      actual: a.revision.toString(),
    });
  }
  if (e.batchId !== a.batchId) {
    differences.push({
      entity: 'transfer',
      id,
      field: 'batchId',
      expected: e.batchId ?? 'none',
      actual: a.batchId ?? 'none',
    });
  }
  if (e.reversedAmount !== a.reversedAmount) {
    differences.push({
      entity: 'transfer',
      id,
      field: 'reversedAmount',
      expected: e.reversedAmount.toString(),
      actual: a.reversedAmount.toString(),
    });
  }
  return differences;
}

/** Whether a difference may be the projector lagging behind (or ahead of) the fold. */
export function mayBeLag(differences: readonly Difference[]): boolean {
  return differences.some((d) => d.field === 'revision' || d.field === 'exists');
}

/** Minor units, with the decimal form when the currency is known: "1234 (12.34 USD)". */
function money(minor: bigint, currency: string): string {
  return isCurrency(currency)
    ? `${minor} (${formatAmount(minor, currency)} ${currency})`
    : minor.toString();
}
