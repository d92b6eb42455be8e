import { log } from '../log.js';
import { settle } from './execute.js';
import { formatAmount, type CommandRecord, type Journal } from './journal.js';
import type { BankAccounts } from './setup.js';

/**
 * The end of the run: every command whose outcome is still unknown is sent again with its
 * Idempotency-Key until the answer is known (the gateway's in-flight claim of a crashed
 * gateway expires after 30 s, so the budget is longer than that).
 */
export async function resolveUnknowns(
  baseUrl: string,
  journal: Journal,
  accounts: BankAccounts,
  budgetMs: number,
): Promise<number> {
  const open = journal.commands.filter((c) => c.outcome === 'unknown' || c.outcome === 'pending');
  if (open.length === 0) return 0;
  log(`resolving ${open.length} commands with unknown outcome`);
  await Promise.all(
    open.map((record) =>
      settle(() => baseUrl, journal, record, requestFor(record, accounts), budgetMs),
    ),
  );
  const left = open.filter((c) => c.outcome === 'unknown' || c.outcome === 'pending').length;
  log(`resolved ${open.length - left} of ${open.length}`);
  return open.length;
}

export function requestFor(record: CommandRecord, accounts: BankAccounts) {
  const token = accounts.tokens.get(record.sub) as string;
  const amount = formatAmount(record.amount);
  if (record.kind === 'reversal') {
    return {
      method: 'POST',
      path: `/v1/transfers/${record.reversalOf}/reversals`,
      token,
      idempotencyKey: record.key,
      body: { amount },
    } as const;
  }
  if (record.kind === 'transfer') {
    return {
      method: 'POST',
      path: '/v1/transfers',
      token,
      idempotencyKey: record.key,
      body: {
        fromAccountId: record.account,
        toAccountId: record.toAccount,
        amount,
        reference: record.key,
      },
    } as const;
  }
  const path = `/v1/accounts/${record.account}/${record.kind === 'deposit' ? 'deposits' : 'withdrawals'}`;
  return { method: 'POST', path, token, idempotencyKey: record.key, body: { amount } } as const;
}
