import type { Knex } from 'knex';
import { HOLD_COLUMNS, type HoldStatus, type StoredHoldRow } from '@bank/read-models';
import type { Reader } from '../shared/read-snapshot.js';

/** A hold with its account's currency. */
export interface HoldRow extends StoredHoldRow {
  readonly currency: string;
  /** placed_at in microseconds since the epoch, exact (a Date keeps milliseconds): the cursor. */
  readonly placed_micros: string;
}

/** Where a page continues: strictly before this (placed_at, hold_id). */
export interface HoldKey {
  readonly placedMicros: bigint;
  readonly holdId: string;
}

export interface HoldPageRequest {
  readonly accountId: string;
  readonly limit: number;
  readonly before: HoldKey | undefined;
  readonly statuses: readonly HoldStatus[];
}

const COLUMNS = [...HOLD_COLUMNS.map((column) => `h.${column}`), 'a.currency'];

function holds(db: Reader): Knex.QueryBuilder {
  return db('holds as h')
    .join('accounts as a', 'a.account_id', 'h.account_id')
    .select(COLUMNS)
    .select(db.raw('(extract(epoch from h.placed_at) * 1000000)::bigint::text as placed_micros'));
}

/** Primary key (account_id, hold_id). */
export function holdByIdQuery(db: Reader, accountId: string, holdId: string): Knex.QueryBuilder {
  return holds(db).where({ 'h.account_id': accountId, 'h.hold_id': holdId });
}

/**
 * One page of an account's holds, newest first, by keyset on holds_account_placed_idx
 * (account_id, placed_at, hold_id), scanned backwards. One row more than asked tells whether
 * another page exists.
 */
export function holdsPageQuery(db: Reader, page: HoldPageRequest): Knex.QueryBuilder {
  const query = holds(db).where('h.account_id', page.accountId);
  if (page.before)
    query.whereRaw(
      `(h.placed_at, h.hold_id) < (timestamptz 'epoch' + ?::bigint * interval '1 microsecond', ?::uuid)`,
      [page.before.placedMicros.toString(), page.before.holdId],
    );
  if (page.statuses.length > 0) query.whereIn('h.status', page.statuses);
  return query
    .orderBy([
      { column: 'h.placed_at', order: 'desc' },
      { column: 'h.hold_id', order: 'desc' },
    ])
    .limit(page.limit + 1);
}
