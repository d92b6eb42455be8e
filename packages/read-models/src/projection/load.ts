import { toBigInt } from '@bank/platform/core';
import type { Knex } from 'knex';
import type { ViewState } from './fold.js';
import type { ProjectionEvent } from './projection-event.js';
import {
  dailyKey,
  holdKey,
  utcDay,
  type AccountRow,
  type DailyBalanceRow,
  type HoldRow,
  type HoldStatus,
  type TransferRow,
} from './rows.js';
import { isoOf, isoOrNull, runStatements, toJsonParam, type SqlStatement } from './sql-json.js';

/**
 * Locks the idempotency rows of the batch's streams and returns their last applied revisions.
 * Missing rows are created first (revision -1, "nothing applied"), so that two consumers that
 * briefly both hold a partition during a rebalance serialise on the same rows instead of both
 * applying a stream's first event. Streams are locked in sorted order, so that transactions
 * over overlapping streams cannot deadlock.
 */
export async function lockStreams(
  trx: Knex.Transaction,
  streamIds: readonly string[],
): Promise<Map<string, bigint>> {
  const [, locked] = await runStatements(trx, lockStatements(streamIds));
  return parseLocked(locked?.rows ?? []);
}

/** lockStreams as two statements, for the caller to send (see loadStatements). */
export function lockStatements(streamIds: readonly string[]): SqlStatement[] {
  const param = toJsonParam([...new Set(streamIds)].sort());
  return [
    {
      sql: `INSERT INTO stream_checkpoints (stream_id, revision)
     SELECT s, -1 FROM jsonb_array_elements_text(?::jsonb) AS s ORDER BY s
     ON CONFLICT (stream_id) DO NOTHING`,
      bindings: [param],
    },
    {
      sql: `SELECT stream_id, revision::text AS revision FROM stream_checkpoints
      WHERE stream_id IN (SELECT jsonb_array_elements_text(?::jsonb))
      ORDER BY stream_id FOR UPDATE`,
      bindings: [param],
    },
  ];
}

function parseLocked(rows: Record<string, unknown>[]): Map<string, bigint> {
  return new Map(rows.map((row) => [String(row['stream_id']), toBigInt(row['revision'])]));
}

/** The keys of the view rows a batch of events may read (see loadViewState). */
export interface ViewKeys {
  readonly accountIds: string[];
  readonly transferIds: string[];
  readonly holds: Array<{ account_id: string; hold_id: string }>;
  readonly days: Array<{ account_id: string; day: string }>;
}

/**
 * The rows each event may read: its account or transfer, the hold a capture/release/expiry
 * closes (and, with `placedHolds`, the hold a HoldPlaced creates), the account's day row of a
 * money movement.
 */
export function viewKeysOf(events: readonly ProjectionEvent[], placedHolds = false): ViewKeys {
  const accountIds = new Set<string>();
  const transferIds = new Set<string>();
  const holdKeys = new Map<string, { account_id: string; hold_id: string }>();
  const dayKeys = new Map<string, { account_id: string; day: string }>();
  for (const { event, occurredAt } of events) {
    if ('accountId' in event.data) accountIds.add(event.data.accountId);
    else transferIds.add(event.data.transferId);
    if (
      event.type === 'HoldCaptured' ||
      event.type === 'HoldReleased' ||
      event.type === 'HoldExpired' ||
      (placedHolds && event.type === 'HoldPlaced')
    ) {
      holdKeys.set(holdKey(event.data.accountId, event.data.holdId), {
        account_id: event.data.accountId,
        hold_id: event.data.holdId,
      });
    }
    if ('accountId' in event.data && 'amount' in event.data) {
      const day = utcDay(occurredAt);
      dayKeys.set(dailyKey(event.data.accountId, day), { account_id: event.data.accountId, day });
    }
  }
  return {
    accountIds: [...accountIds],
    transferIds: [...transferIds],
    holds: [...holdKeys.values()],
    days: [...dayKeys.values()],
  };
}

/**
 * The statements that load every view row the batch's events may read, in the order of
 * parseViewState: four reads with no dependency on each other, so a caller can send them in the
 * same round trip as the lock (they run after it, each statement with its own snapshot).
 */
export function loadStatements(events: readonly ProjectionEvent[]): SqlStatement[] {
  const keys = viewKeysOf(events);
  return [
    { sql: ACCOUNTS_SQL, bindings: [toJsonParam(keys.accountIds)] },
    { sql: HOLDS_SQL, bindings: [toJsonParam(keys.holds)] },
    { sql: TRANSFERS_SQL, bindings: [toJsonParam(keys.transferIds)] },
    { sql: DAILY_SQL, bindings: [toJsonParam(keys.days)] },
  ];
}

/** The view state from the results of loadStatements, in their order. */
export function parseViewState(
  streams: Map<string, bigint>,
  results: ReadonlyArray<{ rows: Record<string, unknown>[] }>,
): ViewState {
  const rows = (i: number): Record<string, unknown>[] => results[i]?.rows ?? [];
  return {
    streams,
    accounts: accountRows(rows(0)),
    holds: holdRows(rows(1)),
    transfers: transferRows(rows(2)),
    daily: dailyRows(rows(3)),
  };
}

/** The lock's and the loads' statements, and their state from the results (in that order). */
export const lockAndLoad = {
  statements: (events: readonly ProjectionEvent[]): SqlStatement[] => [
    ...lockStatements(events.map((e) => e.streamId)),
    ...loadStatements(events),
  ],
  parse: (results: ReadonlyArray<{ rows: Record<string, unknown>[] }>): ViewState =>
    parseViewState(parseLocked(results[1]?.rows ?? []), results.slice(2)),
};

/** Loads every view row the batch's events may read. */
export async function loadViewState(
  trx: Knex.Transaction,
  events: readonly ProjectionEvent[],
  streams: Map<string, bigint>,
): Promise<ViewState> {
  return parseViewState(streams, await runStatements(trx, loadStatements(events)));
}

export async function loadAccounts(
  db: Knex | Knex.Transaction,
  keys: string[],
): Promise<Map<string, AccountRow>> {
  if (keys.length === 0) return new Map();
  const result = await db.raw<{ rows: Record<string, unknown>[] }>(ACCOUNTS_SQL, [
    toJsonParam(keys),
  ]);
  return accountRows(result.rows);
}

const ACCOUNTS_SQL = `SELECT account_id::text AS account_id, owner_id, currency, type, status, balance::text AS balance,
            held::text AS held, overdraft_limit::text AS overdraft_limit, available::text AS available,
            revision::text AS revision, last_position::text AS last_position, opened_at, updated_at
       FROM accounts WHERE account_id IN (SELECT (jsonb_array_elements_text(?::jsonb))::uuid)`;

function accountRows(rows: Record<string, unknown>[]): Map<string, AccountRow> {
  return new Map(
    rows.map((r): [string, AccountRow] => [
      String(r['account_id']),
      {
        account_id: String(r['account_id']),
        owner_id: String(r['owner_id']),
        currency: String(r['currency']),
        type: String(r['type']),
        status: String(r['status']),
        balance: toBigInt(r['balance']),
        held: toBigInt(r['held']),
        overdraft_limit: toBigInt(r['overdraft_limit']),
        available: toBigInt(r['available']),
        revision: toBigInt(r['revision']),
        last_position: toBigInt(r['last_position']),
        opened_at: isoOf(r['opened_at']),
        updated_at: isoOf(r['updated_at']),
      },
    ]),
  );
}

export async function loadHolds(
  db: Knex | Knex.Transaction,
  keys: Array<{ account_id: string; hold_id: string }>,
): Promise<Map<string, HoldRow>> {
  if (keys.length === 0) return new Map();
  const result = await db.raw<{ rows: Record<string, unknown>[] }>(HOLDS_SQL, [toJsonParam(keys)]);
  return holdRows(result.rows);
}

const HOLDS_SQL = `SELECT h.account_id::text AS account_id, h.hold_id::text AS hold_id, h.amount::text AS amount,
            h.captured_amount::text AS captured_amount, h.status, h.expires_at, h.placed_at, h.updated_at
       FROM holds h
       JOIN jsonb_to_recordset(?::jsonb) AS k(account_id uuid, hold_id uuid)
         ON h.account_id = k.account_id AND h.hold_id = k.hold_id`;

function holdRows(rows: Record<string, unknown>[]): Map<string, HoldRow> {
  return new Map(
    rows.map((r): [string, HoldRow] => [
      holdKey(String(r['account_id']), String(r['hold_id'])),
      {
        account_id: String(r['account_id']),
        hold_id: String(r['hold_id']),
        amount: toBigInt(r['amount']),
        captured_amount: toBigInt(r['captured_amount']),
        status: String(r['status']) as HoldStatus,
        expires_at: isoOrNull(r['expires_at']),
        placed_at: isoOf(r['placed_at']),
        updated_at: isoOf(r['updated_at']),
      },
    ]),
  );
}

export async function loadTransfers(
  db: Knex | Knex.Transaction,
  keys: string[],
): Promise<Map<string, TransferRow>> {
  if (keys.length === 0) return new Map();
  const result = await db.raw<{ rows: Record<string, unknown>[] }>(TRANSFERS_SQL, [
    toJsonParam(keys),
  ]);
  return transferRows(result.rows);
}

const TRANSFERS_SQL = `SELECT transfer_id::text AS transfer_id, from_account_id::text AS from_account_id,
            to_account_id::text AS to_account_id, amount::text AS amount, currency, reference, status,
            failure_reason, batch_id::text AS batch_id, batch_index, batch_mode,
            reversal_of::text AS reversal_of, reversed_amount::text AS reversed_amount,
            revision::text AS revision, requested_at, updated_at
       FROM transfers WHERE transfer_id IN (SELECT (jsonb_array_elements_text(?::jsonb))::uuid)`;

function transferRows(rows: Record<string, unknown>[]): Map<string, TransferRow> {
  return new Map(
    rows.map((r): [string, TransferRow] => [
      String(r['transfer_id']),
      {
        transfer_id: String(r['transfer_id']),
        from_account_id: String(r['from_account_id']),
        to_account_id: String(r['to_account_id']),
        amount: toBigInt(r['amount']),
        currency: String(r['currency']),
        reference: String(r['reference']),
        status: String(r['status']),
        failure_reason: typeof r['failure_reason'] === 'string' ? r['failure_reason'] : null,
        batch_id: typeof r['batch_id'] === 'string' ? r['batch_id'] : null,
        batch_index: typeof r['batch_index'] === 'number' ? r['batch_index'] : null,
        batch_mode: typeof r['batch_mode'] === 'string' ? r['batch_mode'] : null,
        reversal_of: typeof r['reversal_of'] === 'string' ? r['reversal_of'] : null,
        reversed_amount: toBigInt(r['reversed_amount']),
        revision: toBigInt(r['revision']),
        requested_at: isoOf(r['requested_at']),
        updated_at: isoOf(r['updated_at']),
      },
    ]),
  );
}

export async function loadDaily(
  db: Knex | Knex.Transaction,
  keys: Array<{ account_id: string; day: string }>,
): Promise<Map<string, DailyBalanceRow>> {
  if (keys.length === 0) return new Map();
  const result = await db.raw<{ rows: Record<string, unknown>[] }>(DAILY_SQL, [toJsonParam(keys)]);
  return dailyRows(result.rows);
}

const DAILY_SQL = `SELECT d.account_id::text AS account_id, d.day::text AS day, d.opening_balance::text AS opening_balance,
            d.closing_balance::text AS closing_balance, d.total_in::text AS total_in, d.total_out::text AS total_out
       FROM daily_balances d
       JOIN jsonb_to_recordset(?::jsonb) AS k(account_id uuid, day date)
         ON d.account_id = k.account_id AND d.day = k.day`;

function dailyRows(rows: Record<string, unknown>[]): Map<string, DailyBalanceRow> {
  return new Map(
    rows.map((r): [string, DailyBalanceRow] => [
      dailyKey(String(r['account_id']), String(r['day'])),
      {
        account_id: String(r['account_id']),
        day: String(r['day']),
        opening_balance: toBigInt(r['opening_balance']),
        closing_balance: toBigInt(r['closing_balance']),
        total_in: toBigInt(r['total_in']),
        total_out: toBigInt(r['total_out']),
      },
    ]),
  );
}
