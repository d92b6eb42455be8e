import { strict as assert } from 'node:assert';
import { availableBalance } from '@bank/domain';
import type pg from 'pg';
import { expectedViews } from './expected-views.js';

type Stored = Parameters<typeof expectedViews>[0][number];

/**
 * Asserts that the read models in `pool`'s schema equal the fold of `stored` (every event in the
 * store): accounts, every ledger entry exactly once with its running balance, holds, transfers with
 * their full history, daily balances, and the per-stream idempotency records. No extra rows.
 */
export async function assertViewsMatch(pool: pg.Pool, stored: readonly Stored[]): Promise<void> {
  const expected = expectedViews(stored);
  const q = async (sql: string): Promise<Array<Record<string, string | null>>> =>
    (await pool.query(sql)).rows as Array<Record<string, string | null>>;

  const accounts =
    await q(`SELECT account_id::text, status, balance::text, held::text, available::text,
    overdraft_limit::text, revision::text, last_position::text, owner_id, currency FROM accounts`);
  assert.equal(accounts.length, expected.accounts.size, 'number of accounts');
  for (const row of accounts) {
    const want = expected.accounts.get(row['account_id'] ?? '');
    assert.ok(want && want.state.status !== 'none', `unexpected account ${row['account_id']}`);
    const s = want.state;
    assert.deepEqual(
      row,
      {
        account_id: s.accountId,
        status: s.status,
        balance: s.balance.toString(),
        held: s.heldTotal.toString(),
        available: availableBalance(s).toString(),
        overdraft_limit: s.overdraftLimit.toString(),
        revision: want.revision.toString(),
        last_position: want.position.toString(),
        owner_id: s.ownerId,
        currency: s.currency,
      },
      `account ${s.accountId}`,
    );
  }

  const ledger =
    await q(`SELECT account_id::text, event_id::text, revision::text, amount::text, balance_after::text
    FROM ledger_entries l ORDER BY l.account_id, l.revision`);
  const byAccount = new Map<string, typeof ledger>();
  for (const row of ledger)
    byAccount.set(row['account_id'] ?? '', [
      ...(byAccount.get(row['account_id'] ?? '') ?? []),
      row,
    ]);
  const expectedEntries = [...expected.ledger.values()].reduce((n, list) => n + list.length, 0);
  assert.equal(ledger.length, expectedEntries, 'number of ledger entries');
  for (const [accountId, entries] of expected.ledger) {
    const rows = byAccount.get(accountId) ?? [];
    assert.deepEqual(
      rows.map((r) => [r['event_id'], r['revision'], r['amount']]),
      entries.map((e) => [e.eventId, e.revision.toString(), e.amount.toString()]),
      `ledger of ${accountId}`,
    );
    let running = 0n;
    for (const row of rows) {
      running += BigInt(row['amount'] ?? '0');
      assert.equal(
        row['balance_after'],
        running.toString(),
        `running balance of ${accountId} at ${row['revision']}`,
      );
    }
  }

  const holds = await q(
    `SELECT hold_id::text, status, captured_amount::text, amount::text FROM holds`,
  );
  assert.equal(holds.length, expected.holds.size, 'number of holds');
  for (const row of holds) {
    const want = expected.holds.get(row['hold_id'] ?? '');
    assert.deepEqual(row, {
      hold_id: row['hold_id'],
      status: want?.status,
      captured_amount: want?.captured.toString(),
      amount: want?.amount.toString(),
    });
  }

  const transfers =
    await q(`SELECT t.transfer_id::text, t.status, t.failure_reason, t.batch_id::text,
      t.reversal_of::text, t.reversed_amount::text, t.revision::text,
      (SELECT count(*)::text FROM transfer_status_history h WHERE h.transfer_id = t.transfer_id) AS history
    FROM transfers t`);
  assert.equal(transfers.length, expected.transfers.size, 'number of transfers');
  for (const row of transfers) {
    const want = expected.transfers.get(row['transfer_id'] ?? '');
    assert.ok(want && want.state.status !== 'none');
    assert.deepEqual(row, {
      transfer_id: want.state.transferId,
      status: want.state.status,
      failure_reason: want.state.failureReason,
      batch_id: want.state.batchId ?? null,
      reversal_of: want.state.reversalOf ?? null,
      reversed_amount: want.state.reversedAmount.toString(),
      revision: want.revision.toString(),
      history: String(want.statusChanges),
    });
  }
  const history = await q(`SELECT count(*)::text AS n FROM transfer_status_history`);
  assert.equal(
    history[0]?.['n'],
    String([...expected.transfers.values()].reduce((n, t) => n + t.statusChanges, 0)),
  );

  const daily =
    await q(`SELECT account_id::text, day::text, opening_balance::text, closing_balance::text,
    total_in::text, total_out::text FROM daily_balances`);
  assert.equal(daily.length, expected.daily.size, 'number of daily balance rows');
  for (const row of daily) {
    const want = expected.daily.get(`${row['account_id']}/${row['day']}`);
    assert.ok(want, `unexpected daily balance ${row['account_id']} ${row['day']}`);
    assert.deepEqual(
      [row['opening_balance'], row['closing_balance'], row['total_in'], row['total_out']],
      [want.opening, want.closing, want.totalIn, want.totalOut].map(String),
      `daily balance ${row['account_id']} ${row['day']}`,
    );
  }

  const streams = await q(
    `SELECT stream_id, revision::text FROM stream_checkpoints ORDER BY stream_id`,
  );
  const lastRevisions = new Map<string, bigint>();
  for (const s of stored)
    if ((lastRevisions.get(s.streamId) ?? -1n) < s.revision)
      lastRevisions.set(s.streamId, s.revision);
  assert.deepEqual(
    streams.map((r) => [r['stream_id'], r['revision']]),
    [...lastRevisions]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, rev]) => [id, rev.toString()]),
    'stream checkpoints',
  );
}
