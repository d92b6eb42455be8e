import { randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface SeedAccount {
  readonly accountId?: string;
  readonly ownerId: string;
  readonly currency?: string;
  readonly balance?: bigint;
  readonly held?: bigint;
  readonly overdraftLimit?: bigint;
  readonly status?: string;
  readonly openedAt?: string;
}

export async function insertAccount(pool: pg.Pool, account: SeedAccount): Promise<string> {
  const accountId = account.accountId ?? randomUUID();
  const balance = account.balance ?? 0n;
  const held = account.held ?? 0n;
  const overdraft = account.overdraftLimit ?? 0n;
  await pool.query(
    `insert into accounts (account_id, owner_id, currency, type, status, balance, held, overdraft_limit,
       available, revision, last_position, opened_at, updated_at)
     values ($1, $2, $3, 'checking', $4, $5, $6, $7, $8, 1, 1, $9, $9)`,
    [
      accountId,
      account.ownerId,
      account.currency ?? 'USD',
      account.status ?? 'open',
      balance.toString(),
      held.toString(),
      overdraft.toString(),
      (balance - held + overdraft).toString(),
      account.openedAt ?? new Date().toISOString(),
    ],
  );
  return accountId;
}

export interface SeedEntry {
  readonly revision: bigint;
  readonly type: string;
  readonly amount: bigint;
  readonly balanceAfter: bigint;
  readonly occurredAt: string;
  readonly position?: bigint;
  readonly eventId?: string;
  readonly transferId?: string;
  readonly counterpartyAccountId?: string;
}

/** Inserts entries in one statement (unnest), so thousands of rows cost one round trip. */
export async function insertEntries(
  pool: pg.Pool,
  accountId: string,
  currency: string,
  entries: readonly SeedEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await pool.query(
    `insert into ledger_entries (account_id, revision, event_id, position, type, amount, balance_after, currency,
       counterparty_account_id, transfer_id, hold_id, occurred_at)
     select $1, r, e, p, t, a, b, $2, c, tr, null, o
       from unnest($3::bigint[], $4::uuid[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[],
                   $9::uuid[], $10::uuid[], $11::timestamptz[]) as x(r, e, p, t, a, b, c, tr, o)`,
    [
      accountId,
      currency,
      entries.map((e) => e.revision.toString()),
      entries.map((e) => e.eventId ?? randomUUID()),
      entries.map((e) => (e.position ?? e.revision).toString()),
      entries.map((e) => e.type),
      entries.map((e) => e.amount.toString()),
      entries.map((e) => e.balanceAfter.toString()),
      entries.map((e) => e.counterpartyAccountId ?? null),
      entries.map((e) => e.transferId ?? null),
      entries.map((e) => e.occurredAt),
    ],
  );
}

/** Sets a projection checkpoint row and tells listeners, the way the projector does after a commit. */
export async function advanceWatermark(
  pool: pg.Pool,
  name: string,
  position: bigint,
  options: { notify?: boolean; lastEventAt?: string } = {},
): Promise<void> {
  await pool.query(
    `insert into projection_checkpoints (name, position, last_event_at, updated_at) values ($1, $2, $3, now())
     on conflict (name) do update set position = excluded.position, last_event_at = excluded.last_event_at,
       updated_at = now()`,
    [name, position.toString(), options.lastEventAt ?? null],
  );
  if (options.notify ?? true) await pool.query(`notify bank_projection_advanced, '${position}'`);
}

/** A small deterministic PRNG, so seeded amounts are varied but every run sees the same ones. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
