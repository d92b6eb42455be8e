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
  const check = differ('account', id);
  if (e.exists !== a.exists) return check('exists', String(e.exists), String(a.exists));
  if (!e.exists) return [];
  return [
    ...OTHER_FIELDS.flatMap((field) => check(field, String(e[field]), String(a[field]))),
    ...MONEY_FIELDS.flatMap((field) =>
      e[field] === a[field]
        ? []
        : check(field, money(e[field], e.currency), money(a[field], e.currency)),
    ),
  ];
}

export function compareTransfer(
  id: string,
  expected: TransferFacts | undefined,
  actual: TransferFacts | undefined,
): Difference[] {
  const e = expected ?? NO_TRANSFER;
  const a = actual ?? NO_TRANSFER;
  const check = differ('transfer', id);
  if (e.exists !== a.exists) return check('exists', String(e.exists), String(a.exists));
  if (!e.exists) return [];
  return [
    ...check('status', e.status, a.status),
    ...check('revision', e.revision.toString(), a.revision.toString()),
    ...check('batchId', e.batchId ?? 'none', a.batchId ?? 'none'),
    ...check('reversedAmount', e.reversedAmount.toString(), a.reversedAmount.toString()),
  ];
}

/** One entity's field check: a difference when the two renderings disagree, none otherwise. */
function differ(entity: Difference['entity'], id: string) {
  return (field: string, expected: string, actual: string): Difference[] =>
    expected === actual ? [] : [{ entity, id, field, expected, actual }];
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
