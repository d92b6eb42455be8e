import type pg from 'pg';
import type { CommandRecord, Journal } from '../workload/journal.js';
import { gatewayCommandId } from './command-id.js';
import { balanceEffect, inSnapshot, MONEY_EVENT_TYPES } from './database.js';
import type { Findings } from './findings.js';

interface EventRow {
  position: string;
  stream_id: string;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  command_id: string | null;
}

/**
 * After the workload, with every outcome known and the views caught up: the whole event store
 * and the read models of the workload's accounts, read in one snapshot each, against the
 * journal of what the clients were told.
 */
export async function checkFinal(
  pool: pg.Pool,
  accounts: readonly string[],
  journal: Journal,
  findings: Findings,
): Promise<void> {
  const streams = accounts.map((id) => `account-${id}`);
  const events = await inSnapshot(pool, async (client) => {
    const { rows } = await client.query<EventRow>(
      `SELECT position::text, stream_id, event_id::text, type, data, metadata->>'commandId' AS command_id
         FROM events WHERE stream_id = ANY($1) OR stream_id LIKE 'transfer-%' ORDER BY position`,
      [streams],
    );
    return rows;
  });
  const views = await inSnapshot(pool, async (client) => {
    const accountsRows = await client.query<{
      account_id: string;
      balance: string;
      available: string;
    }>(
      `SELECT account_id::text, balance::text, available::text FROM accounts WHERE account_id = ANY($1::uuid[])`,
      [accounts],
    );
    const ledger = await client.query<{ event_id: string; account_id: string; amount: string }>(
      `SELECT event_id::text, account_id::text, amount::text FROM ledger_entries WHERE account_id = ANY($1::uuid[])`,
      [accounts],
    );
    const transfers = await client.query<{ transfer_id: string; status: string }>(
      `SELECT transfer_id::text, status FROM transfers WHERE from_account_id = ANY($1::uuid[])`,
      [accounts],
    );
    return { accounts: accountsRows.rows, ledger: ledger.rows, transfers: transfers.rows };
  });

  const byCommand = groupBy(events, (e) => e.command_id ?? '');
  const ledgerByEvent = groupBy(views.ledger, (l) => l.event_id);
  const transferStatus = new Map(views.transfers.map((t) => [t.transfer_id, t.status]));
  const legs = groupBy(
    events.filter((e) => e.type.startsWith('Transfer') && e.stream_id.startsWith('account-')),
    (e) => `${String(e.data['transferId'])}:${e.type}`,
  );
  const ends = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'TransferCompleted')
      ends.set(e.stream_id.slice('transfer-'.length), 'completed');
    if (e.type === 'TransferFailed') ends.set(e.stream_id.slice('transfer-'.length), 'failed');
  }

  for (const command of journal.commands) {
    const found = byCommand.get(gatewayCommandId(command.sub, command.key)) ?? [];
    const where = `${command.kind} ${command.key} (client ${command.client} step ${command.step})`;
    switch (command.outcome) {
      case 'pending':
      case 'unknown':
        findings.check(
          false,
          () => `${where}: outcome never became known (${command.status} ${command.code})`,
        );
        break;
      case 'rejected':
        findings.check(
          found.length === 0,
          () =>
            `${where}: rejected (${command.status} ${command.code}) but left ${found.length} events`,
        );
        findings.check(
          command.status === 422 &&
            (command.code === 'INSUFFICIENT_FUNDS' ||
              (command.kind === 'reversal' && command.code === 'REVERSAL_EXCEEDS_ORIGINAL')),
          () => `${where}: unexpected rejection ${command.status} ${command.code}`,
        );
        break;
      case 'ack':
        if (command.kind === 'transfer' || command.kind === 'reversal')
          checkTransfer(command, found, legs, ends, transferStatus, ledgerByEvent, findings, where);
        else checkMoneyCommand(command, found, ledgerByEvent, findings, where);
        break;
    }
  }

  // Every money event of these accounts has exactly one ledger entry, and no entry lacks its event.
  const moneyEvents = events.filter(
    (e) =>
      e.stream_id.startsWith('account-') &&
      (MONEY_EVENT_TYPES as readonly string[]).includes(e.type),
  );
  const eventIds = new Set(moneyEvents.map((e) => e.event_id));
  for (const e of moneyEvents) {
    const count = ledgerByEvent.get(e.event_id)?.length ?? 0;
    if (count !== 1)
      findings.check(
        false,
        () => `ledger: event ${e.event_id} (${e.type} on ${e.stream_id}) has ${count} entries`,
      );
  }
  findings.checks += 1;
  for (const entry of views.ledger) {
    if (!eventIds.has(entry.event_id))
      findings.check(
        false,
        () => `ledger: entry for event ${entry.event_id} that is not in the store`,
      );
  }
  findings.checks += 1;

  // Money: the store's fold, the views and the journal agree, and nothing is in transit.
  const expected = journal.totals.ackedDeposits - journal.totals.ackedWithdrawals;
  const folded = new Map<string, bigint>();
  for (const e of moneyEvents) {
    folded.set(
      e.stream_id,
      (folded.get(e.stream_id) ?? 0n) + balanceEffect(e.type, BigInt(String(e.data['amount']))),
    );
  }
  const storeTotal = [...folded.values()].reduce((a, b) => a + b, 0n);
  const viewTotal = views.accounts.reduce((sum, a) => sum + BigInt(a.balance), 0n);
  findings.check(
    storeTotal === expected,
    () =>
      `money: event store holds ${storeTotal}, acknowledged deposits − withdrawals = ${expected}`,
  );
  findings.check(
    viewTotal === expected,
    () => `money: read models hold ${viewTotal}, acknowledged deposits − withdrawals = ${expected}`,
  );
  findings.check(
    views.accounts.length === accounts.length,
    () => `read models: ${views.accounts.length} of ${accounts.length} accounts`,
  );
  for (const a of views.accounts) {
    if (BigInt(a.available) < 0n)
      findings.check(false, () => `read models: ${a.account_id} available ${a.available} < 0`);
    const storeBalance = folded.get(`account-${a.account_id}`) ?? 0n;
    if (storeBalance !== BigInt(a.balance))
      findings.check(
        false,
        () => `account ${a.account_id}: view balance ${a.balance} ≠ store fold ${storeBalance}`,
      );
    if (storeBalance < 0n)
      findings.check(false, () => `account ${a.account_id}: store fold ${storeBalance} < 0`);
  }
  findings.checks += 3;
  const transfersStarted = events
    .filter((e) => e.type === 'TransferRequested')
    .map((e) => e.stream_id.slice('transfer-'.length));
  const unfinished = transfersStarted.filter((id) => !ends.has(id));
  findings.check(
    unfinished.length === 0,
    () => `transfers never finished: ${unfinished.slice(0, 10).join(', ')} (${unfinished.length})`,
  );
  checkReversals(events, ends, findings);
}

/**
 * Reversals: each TransferReversed names a completed reversal of its amount that points back at
 * the original, and no original is reversed past its amount.
 */
function checkReversals(events: EventRow[], ends: Map<string, string>, findings: Findings): void {
  const requested = new Map(
    events
      .filter((e) => e.type === 'TransferRequested')
      .map((e) => [String(e.data['transferId']), e.data]),
  );
  const reversedTotal = new Map<string, bigint>();
  for (const e of events.filter((event) => event.type === 'TransferReversed')) {
    const original = String(e.data['transferId']);
    const reversalId = String(e.data['reversalId']);
    const amount = BigInt(String(e.data['amount']));
    const reversal = requested.get(reversalId);
    findings.check(
      reversal?.['reversalOf'] === original &&
        BigInt(String(reversal['amount'])) === amount &&
        ends.get(reversalId) === 'completed',
      () =>
        `reversal ${reversalId} of ${original}: ${JSON.stringify(reversal)}, ${ends.get(reversalId)}`,
    );
    reversedTotal.set(original, (reversedTotal.get(original) ?? 0n) + amount);
  }
  for (const [original, total] of reversedTotal) {
    const stored = requested.get(original)?.['amount'];
    const amount = typeof stored === 'string' ? BigInt(stored) : 0n;
    findings.check(
      total <= amount,
      () => `transfer ${original}: reversals moved back ${total}, more than its ${amount}`,
    );
  }
}

function checkMoneyCommand(
  command: CommandRecord,
  found: EventRow[],
  ledgerByEvent: Map<string, unknown[]>,
  findings: Findings,
  where: string,
): void {
  const type = command.kind === 'deposit' ? 'FundsDeposited' : 'FundsWithdrawn';
  if (
    !findings.check(
      found.length === 1,
      () => `${where}: acknowledged, ${found.length} events carry its command id`,
    )
  )
    return;
  const [event] = found as [EventRow];
  findings.check(
    event.type === type &&
      event.stream_id === `account-${command.account}` &&
      BigInt(String(event.data['amount'])) === command.amount,
    () => `${where}: stored as ${event.type} ${String(event.data['amount'])} on ${event.stream_id}`,
  );
  findings.check(
    (ledgerByEvent.get(event.event_id)?.length ?? 0) === 1,
    () => `${where}: no ledger entry for event ${event.event_id}`,
  );
}

function checkTransfer(
  command: CommandRecord,
  found: EventRow[],
  legs: Map<string, EventRow[]>,
  ends: Map<string, string>,
  transferStatus: Map<string, string>,
  ledgerByEvent: Map<string, unknown[]>,
  findings: Findings,
  where: string,
): void {
  const requested = found.filter((e) => e.type === 'TransferRequested');
  // A reversal also records TransferReversed on its original, under its own command id.
  const reversed = found.filter((e) => e.type === 'TransferReversed');
  const expectedReversed = command.kind === 'reversal' ? 1 : 0;
  if (
    !findings.check(
      requested.length === 1 &&
        reversed.length === expectedReversed &&
        found.length === 1 + expectedReversed,
      () => `${where}: acknowledged, ${found.length} events carry its command id`,
    )
  )
    return;
  const [event] = requested as [EventRow];
  const id = String(event.data['transferId']);
  findings.check(
    id === command.transferId &&
      event.data['fromAccountId'] === command.account &&
      event.data['toAccountId'] === command.toAccount &&
      event.data['reversalOf'] === command.reversalOf &&
      BigInt(String(event.data['amount'])) === command.amount,
    () =>
      `${where}: TransferRequested ${JSON.stringify(event.data)} does not match what was sent (id ${command.transferId})`,
  );
  const count = (type: string): number => legs.get(`${id}:${type}`)?.length ?? 0;
  const [debited, credited, refunded] = [
    count('TransferDebited'),
    count('TransferCredited'),
    count('TransferRefunded'),
  ];
  const end = ends.get(id);
  findings.check(
    end === command.transferStatus,
    () => `${where}: answered ${command.transferStatus}, the store says ${end}`,
  );
  const legsOk =
    end === 'completed'
      ? debited === 1 && credited === 1 && refunded === 0
      : end === 'failed' && credited === 0 && debited === refunded && debited <= 1;
  findings.check(
    legsOk,
    () =>
      `${where}: transfer ${id} ${end} with ${debited} debits, ${credited} credits, ${refunded} refunds`,
  );
  findings.check(
    transferStatus.get(id) === end,
    () => `${where}: read model says ${transferStatus.get(id)}, store ${end}`,
  );
  for (const type of ['TransferDebited', 'TransferCredited', 'TransferRefunded']) {
    for (const leg of legs.get(`${id}:${type}`) ?? []) {
      findings.check(
        (ledgerByEvent.get(leg.event_id)?.length ?? 0) === 1,
        () => `${where}: no ledger entry for ${type} ${leg.event_id}`,
      );
    }
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
