import type { Knex } from 'knex';
import {
  accountRows,
  ACCOUNTS_SQL,
  DAILY_SQL,
  dailyKey,
  dailyRows,
  holdKey,
  holdRows,
  HOLDS_SQL,
  lockedRevisions,
  lockStatements,
  transferRows,
  TRANSFERS_SQL,
  utcDay,
} from '../tables/index.js';
import type { ViewState } from './fold.js';
import type { ProjectionEvent } from './projection-event.js';
import { runStatements, toJsonParam, type SqlStatement } from './sql-json.js';

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
  return lockedRevisions(locked?.rows ?? []);
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
    parseViewState(lockedRevisions(results[1]?.rows ?? []), results.slice(2)),
};

/** Loads every view row the batch's events may read. */
export async function loadViewState(
  trx: Knex.Transaction,
  events: readonly ProjectionEvent[],
  streams: Map<string, bigint>,
): Promise<ViewState> {
  return parseViewState(streams, await runStatements(trx, loadStatements(events)));
}
