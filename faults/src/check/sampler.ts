import type pg from 'pg';
import { sleep } from '../log.js';
import type { Journal, MoneyTotals } from '../workload/journal.js';
import { balanceEffect, inSnapshot } from './database.js';
import type { Findings } from './findings.js';

export interface SamplerStats {
  samples: number;
  /** Samples that could not read (PostgreSQL down: a fault, not a finding). */
  skipped: number;
}

/**
 * While the workload runs: every `intervalMs`, one snapshot of the event store and one of the
 * read models, each checked on its own with bigint arithmetic:
 * - event store: money in = deposits − withdrawals − money in transit, where client-side
 *   acknowledged deposits (before the snapshot) ≤ stored deposits ≤ attempted deposits (after
 *   it), the same for withdrawals; no transfer credited or refunded more than it was debited;
 *   no account below zero;
 * - read models: each account's balance is the sum of its ledger entries, available ≥ 0, and
 *   the views hold no more deposits or withdrawals than were ever sent.
 */
export function startSampler(
  pool: pg.Pool,
  accounts: readonly string[],
  journal: Journal,
  findings: Findings,
  intervalMs: number,
  stopAt: number,
): { stats: SamplerStats; done: Promise<void> } {
  const stats: SamplerStats = { samples: 0, skipped: 0 };
  const done = (async () => {
    for (let i = 0; i < 100_000 && Date.now() < stopAt; i += 1) {
      await sleep(intervalMs);
      try {
        await sampleEventStore(pool, accounts, journal, findings);
        await sampleReadModels(pool, accounts, journal.totals, findings);
        stats.samples += 1;
      } catch {
        stats.skipped += 1;
      }
    }
  })();
  return { stats, done };
}

export async function sampleEventStore(
  pool: pg.Pool,
  accounts: readonly string[],
  journal: Journal,
  findings: Findings,
): Promise<void> {
  const ackedBefore = { ...journal.totals };
  const streams = accounts.map((id) => `account-${id}`);
  const rows = await inSnapshot(pool, async (client) => {
    const perType = await client.query<{ stream_id: string; type: string; total: string }>(
      `SELECT stream_id, type, sum((data->>'amount')::numeric)::text AS total
         FROM events WHERE stream_id = ANY($1) AND data ? 'amount' GROUP BY stream_id, type`,
      [streams],
    );
    const perTransfer = await client.query<{ transfer_id: string; type: string; total: string }>(
      `SELECT data->>'transferId' AS transfer_id, type, sum((data->>'amount')::numeric)::text AS total
         FROM events WHERE stream_id = ANY($1)
          AND type IN ('TransferDebited', 'TransferCredited', 'TransferRefunded')
        GROUP BY 1, 2`,
      [streams],
    );
    return { perType: perType.rows, perTransfer: perTransfer.rows };
  });
  const attemptedAfter = { ...journal.totals };
  const byType = new Map<string, bigint>();
  const balances = new Map<string, bigint>();
  for (const row of rows.perType) {
    const amount = BigInt(row.total);
    byType.set(row.type, (byType.get(row.type) ?? 0n) + amount);
    balances.set(
      row.stream_id,
      (balances.get(row.stream_id) ?? 0n) + balanceEffect(row.type, amount),
    );
  }
  const get = (type: string): bigint => byType.get(type) ?? 0n;
  const deposits = get('FundsDeposited');
  const withdrawals = get('FundsWithdrawn');
  const inTransit = get('TransferDebited') - get('TransferCredited') - get('TransferRefunded');
  const total = [...balances.values()].reduce((a, b) => a + b, 0n);
  findings.check(
    total === deposits - withdrawals - inTransit,
    () =>
      `event store: total ${total} ≠ deposits ${deposits} − withdrawals ${withdrawals} − in transit ${inTransit}`,
  );
  findings.check(inTransit >= 0n, () => `event store: money in transit is negative (${inTransit})`);
  checkWithin(
    findings,
    'deposits',
    deposits,
    ackedBefore.ackedDeposits,
    attemptedAfter.attemptedDeposits,
  );
  checkWithin(
    findings,
    'withdrawals',
    withdrawals,
    ackedBefore.ackedWithdrawals,
    attemptedAfter.attemptedWithdrawals,
  );
  for (const [stream, balance] of balances) {
    if (balance < 0n)
      findings.check(false, () => `event store: ${stream} folds to a negative balance ${balance}`);
  }
  findings.checks += 1;
  const legs = new Map<string, { debited: bigint; settled: bigint }>();
  for (const row of rows.perTransfer) {
    const leg = legs.get(row.transfer_id) ?? { debited: 0n, settled: 0n };
    if (row.type === 'TransferDebited') leg.debited += BigInt(row.total);
    else leg.settled += BigInt(row.total);
    legs.set(row.transfer_id, leg);
  }
  for (const [transfer, leg] of legs) {
    if (leg.settled > leg.debited) {
      findings.check(
        false,
        () =>
          `event store: transfer ${transfer} credited/refunded ${leg.settled} but debited ${leg.debited}`,
      );
    }
  }
  findings.checks += 1;
}

function checkWithin(
  findings: Findings,
  what: string,
  stored: bigint,
  acked: bigint,
  attempted: bigint,
): void {
  findings.check(
    acked <= stored && stored <= attempted,
    () => `event store: ${what} ${stored} outside [acknowledged ${acked}, attempted ${attempted}]`,
  );
}

export async function sampleReadModels(
  pool: pg.Pool,
  accounts: readonly string[],
  totals: MoneyTotals,
  findings: Findings,
): Promise<void> {
  const { views, ledger } = await inSnapshot(pool, async (client) => {
    const views = await client.query<{ account_id: string; balance: string; available: string }>(
      `SELECT account_id, balance::text, available::text FROM accounts WHERE account_id = ANY($1::uuid[])`,
      [accounts],
    );
    const ledger = await client.query<{ account_id: string; type: string; total: string }>(
      `SELECT account_id, type, sum(amount)::text AS total FROM ledger_entries
        WHERE account_id = ANY($1::uuid[]) GROUP BY 1, 2`,
      [accounts],
    );
    return { views: views.rows, ledger: ledger.rows };
  });
  const attempted = { ...totals };
  const sums = new Map<string, bigint>();
  let deposits = 0n;
  let withdrawals = 0n;
  for (const row of ledger) {
    const amount = BigInt(row.total);
    sums.set(row.account_id, (sums.get(row.account_id) ?? 0n) + amount);
    if (row.type === 'deposit') deposits += amount;
    if (row.type === 'withdrawal') withdrawals -= amount;
  }
  for (const row of views) {
    const balance = BigInt(row.balance);
    const entries = sums.get(row.account_id) ?? 0n;
    if (balance !== entries)
      findings.check(
        false,
        () =>
          `read models: account ${row.account_id} balance ${balance} ≠ its ledger entries' sum ${entries}`,
      );
    if (BigInt(row.available) < 0n)
      findings.check(
        false,
        () => `read models: account ${row.account_id} available ${row.available} < 0`,
      );
  }
  findings.checks += 2;
  findings.check(
    deposits <= attempted.attemptedDeposits,
    () => `read models: deposits ${deposits} > attempted ${attempted.attemptedDeposits}`,
  );
  findings.check(
    withdrawals <= attempted.attemptedWithdrawals,
    () => `read models: withdrawals ${withdrawals} > attempted ${attempted.attemptedWithdrawals}`,
  );
}
