import { toBigInt } from '@bank/platform/core';
import type { StoredAccountRow, StoredTransferRow } from '@bank/read-models';
import type { Knex } from 'knex';
import type { AccountFacts, TransferFacts } from './folded-state.js';

/** What the read models show, in the shape the folded state is compared in. */
export type ViewAccount = AccountFacts & { readonly id: string };
export type ViewTransfer = TransferFacts & { readonly id: string };

type AccountRowText = Pick<
  StoredAccountRow,
  'account_id' | 'status' | 'balance' | 'held' | 'available' | 'revision' | 'currency'
> & { ledger_count: string; ledger_sum: string };

const ACCOUNT_SELECT = `SELECT a.account_id::text AS account_id, a.status, a.balance::text AS balance, a.held::text AS held,
       a.available::text AS available, a.revision::text AS revision, a.currency,
       coalesce(l.count, 0)::text AS ledger_count, coalesce(l.sum, 0)::text AS ledger_sum
  FROM accounts a
  LEFT JOIN LATERAL (SELECT count(*) AS count, sum(amount) AS sum FROM ledger_entries e WHERE e.account_id = a.account_id) l ON true`;

/** Accounts in keyset pages by id, each with its ledger entry count and sum. */
export async function* viewAccountPages(db: Knex, pageSize: number): AsyncGenerator<ViewAccount[]> {
  let after = '00000000-0000-0000-0000-000000000000';
  let first = true;
  for (;;) {
    const result = await db.raw<{ rows: AccountRowText[] }>(
      `${ACCOUNT_SELECT} WHERE a.account_id ${first ? '>=' : '>'} ?::uuid ORDER BY a.account_id LIMIT ?`,
      [after, pageSize],
    );
    first = false;
    if (result.rows.length === 0) return;
    yield result.rows.map(toViewAccount);
    after = result.rows[result.rows.length - 1]?.account_id ?? after;
    if (result.rows.length < pageSize) return;
  }
}

export async function viewAccount(db: Knex, id: string): Promise<ViewAccount | undefined> {
  const result = await db.raw<{ rows: AccountRowText[] }>(
    `${ACCOUNT_SELECT} WHERE a.account_id = ?::uuid`,
    [id],
  );
  const row = result.rows[0];
  return row ? toViewAccount(row) : undefined;
}

type TransferRowText = Pick<
  StoredTransferRow,
  'transfer_id' | 'status' | 'revision' | 'batch_id' | 'reversed_amount'
>;

const TRANSFER_SELECT =
  'SELECT transfer_id::text AS transfer_id, status, revision::text AS revision, ' +
  'batch_id::text AS batch_id, reversed_amount::text AS reversed_amount FROM transfers';

export async function* viewTransferPages(
  db: Knex,
  pageSize: number,
): AsyncGenerator<ViewTransfer[]> {
  let after = '00000000-0000-0000-0000-000000000000';
  let first = true;
  for (;;) {
    const result = await db.raw<{ rows: TransferRowText[] }>(
      `${TRANSFER_SELECT} WHERE transfer_id ${first ? '>=' : '>'} ?::uuid ORDER BY transfer_id LIMIT ?`,
      [after, pageSize],
    );
    first = false;
    if (result.rows.length === 0) return;
    yield result.rows.map(toViewTransfer);
    after = result.rows[result.rows.length - 1]?.transfer_id ?? after;
    if (result.rows.length < pageSize) return;
  }
}

export async function viewTransfer(db: Knex, id: string): Promise<ViewTransfer | undefined> {
  const result = await db.raw<{ rows: TransferRowText[] }>(
    `${TRANSFER_SELECT} WHERE transfer_id = ?::uuid`,
    [id],
  );
  const row = result.rows[0];
  return row ? toViewTransfer(row) : undefined;
}

function toViewAccount(row: AccountRowText): ViewAccount {
  return {
    id: row.account_id,
    exists: true,
    status: row.status,
    balance: toBigInt(row.balance),
    held: toBigInt(row.held),
    available: toBigInt(row.available),
    revision: toBigInt(row.revision),
    ledgerCount: toBigInt(row.ledger_count),
    ledgerSum: toBigInt(row.ledger_sum),
    currency: row.currency,
  };
}

function toViewTransfer(row: TransferRowText): ViewTransfer {
  return {
    id: row.transfer_id,
    exists: true,
    status: row.status,
    revision: toBigInt(row.revision),
    batchId: row.batch_id,
    reversedAmount: toBigInt(row.reversed_amount),
  };
}
