import { strict as assert } from 'node:assert';
import {
  accountStream,
  availableBalance,
  evolveAccount,
  foldAccount,
  initialAccountState,
  foldTransfer,
  transferStream,
  type AccountEvent,
  type AccountState,
  type TransferEvent,
  type TransferState,
} from '@bank/domain';
import type pg from 'pg';
import { decodeStored } from '../infrastructure/stream-loader.js';
import type { RecordedEvent } from '@bank/event-store';

/** Test assertions read the event table directly, independent of the code under test. */

interface Row {
  stream_id: string;
  revision: string;
  position: string;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

const toRecorded = (row: Row): RecordedEvent => ({
  streamId: row.stream_id,
  revision: BigInt(row.revision),
  position: BigInt(row.position),
  eventId: row.event_id,
  type: row.type,
  data: row.data,
  metadata: row.metadata,
  recordedAt: row.recorded_at,
});

export async function headPosition(pool: pg.Pool): Promise<bigint> {
  const result = await pool.query<{ head: string }>(
    'SELECT coalesce(max(position), 0)::text AS head FROM events',
  );
  return BigInt(result.rows[0]?.head ?? '0');
}

export async function streamEvents(pool: pg.Pool, streamId: string): Promise<RecordedEvent[]> {
  const result = await pool.query<Row>(
    `SELECT stream_id, revision::text, position::text, event_id::text, type, data, metadata, recorded_at
       FROM events WHERE stream_id = $1 ORDER BY events.revision`,
    [streamId],
  );
  return result.rows.map(toRecorded);
}

export async function eventsOfType(pool: pg.Pool, type: string): Promise<RecordedEvent[]> {
  const result = await pool.query<Row>(
    `SELECT stream_id, revision::text, position::text, event_id::text, type, data, metadata, recorded_at
       FROM events WHERE type = $1 ORDER BY events.position`,
    [type],
  );
  return result.rows.map(toRecorded);
}

export async function accountFromStore(pool: pg.Pool, accountId: string): Promise<AccountState> {
  const events = await streamEvents(pool, accountStream(accountId));
  return foldAccount(events.map((e) => decodeStored(e) as AccountEvent));
}

export async function transferFromStore(pool: pg.Pool, transferId: string): Promise<TransferState> {
  const events = await streamEvents(pool, transferStream(transferId));
  return foldTransfer(events.map((e) => decodeStored(e) as TransferEvent));
}

/** The accounts' balances summed, each checked never to have gone below zero available. */
export async function totalBalance(db: pg.Pool, accountIds: readonly string[]): Promise<bigint> {
  let total = 0n;
  for (const accountId of accountIds) {
    let state: AccountState = initialAccountState;
    for (const event of await streamEvents(db, accountStream(accountId))) {
      state = evolveAccount(state, decodeStored(event) as AccountEvent);
      assert.ok(state.status !== 'none');
      assert.ok(availableBalance(state) >= 0n, `available below zero on ${accountId}`);
    }
    assert.ok(state.status !== 'none');
    total += state.balance;
  }
  return total;
}
