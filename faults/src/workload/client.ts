import type { Random } from '../random.js';
import { settle } from './execute.js';
import { send } from './http.js';
import { parseAmount, type CommandRecord, type Journal } from './journal.js';
import { planStep, type PlannedStep } from './plan.js';
import { requestFor } from './resolve.js';
import type { BankAccounts } from './setup.js';

export interface ClientOptions {
  readonly id: number;
  readonly baseUrl: string;
  readonly random: Random;
  readonly accounts: BankAccounts;
  readonly journal: Journal;
  readonly runTag: string;
  /** Wall-clock end of the workload. */
  readonly stopAt: number;
  readonly maxSteps: number;
  /** How long one command is retried in-line before it is left for the resolution pass. */
  readonly retryBudgetMs: number;
}

/**
 * One client: steps planned from its own seeded stream until the time or step budget ends.
 * It remembers the highest position its commands returned (its consistency token) and, per
 * account, the highest revision it has seen: a read carrying the token must never show less.
 */
export async function runClient(options: ClientOptions): Promise<number> {
  const { accounts, journal } = options;
  const seenRevision = new Map<string, bigint>();
  let token: bigint | undefined;
  let step = 0;
  /** The last transfer of this client that completed: what a reversal step reverses. */
  let completed: CommandRecord | undefined;
  for (; step < options.maxSteps && Date.now() < options.stopAt; step += 1) {
    const drawn = planStep(options.random, accounts);
    const planned = drawn.op === 'reversal' && !completed ? readInstead(accounts) : drawn;
    const sub =
      planned.op !== 'reversal' && planned.asOwner
        ? (accounts.owners.get(planned.account) ?? accounts.tellerSub)
        : accounts.tellerSub;
    if (planned.op === 'read') {
      await read(options, planned.account, accounts.tokens.get(sub) as string, token, seenRevision);
      continue;
    }
    const record =
      planned.op === 'reversal'
        ? reversalOf(options, step, planned.amount, completed, sub)
        : recordOf(options, step, planned, sub);
    journal.commands.push(record);
    const outcome = await settle(
      () => options.baseUrl,
      journal,
      record,
      requestFor(record, accounts),
      options.retryBudgetMs,
    );
    if (outcome.kind === 'ack') {
      if (record.position !== undefined && (token === undefined || record.position > token))
        token = record.position;
      const account = outcome.body['account'] as Record<string, unknown> | undefined;
      if (account) observe(options, seenRevision, account, 'command answer');
      if (record.kind === 'transfer' && record.transferStatus === 'completed') completed = record;
    }
  }
  return step;
}

/** A reversal step of a client with nothing to reverse yet reads the first account instead. */
function readInstead(accounts: BankAccounts): PlannedStep {
  return { op: 'read', account: accounts.ids[0] ?? '', asOwner: false };
}

/** A reversal of `original` (staff only): money back from its destination to its source. */
function reversalOf(
  options: ClientOptions,
  step: number,
  amount: bigint,
  original: CommandRecord | undefined,
  sub: string,
): CommandRecord {
  if (!original) throw new Error('a reversal step with no completed transfer to reverse');
  return {
    client: options.id,
    step,
    kind: 'reversal',
    sub,
    key: `${options.runTag}-c${options.id}-s${step}`,
    account: original.toAccount ?? '',
    toAccount: original.account,
    reversalOf: original.transferId ?? '',
    amount,
    attempts: 0,
    outcome: 'pending',
  };
}

async function read(
  options: ClientOptions,
  account: string,
  bearer: string,
  token: bigint | undefined,
  seenRevision: Map<string, bigint>,
): Promise<void> {
  const outcome = await send(options.baseUrl, {
    method: 'GET',
    path: `/v1/accounts/${account}`,
    token: bearer,
    consistencyToken: token?.toString(),
  });
  if (outcome.kind !== 'ack') {
    options.journal.reads.failed += 1;
    if (outcome.kind === 'rejected') {
      options.journal.violations.push(
        `client ${options.id}: GET account ${account} refused ${outcome.status} ${outcome.code}`,
      );
    }
    return;
  }
  options.journal.reads.ok += 1;
  // Only reads that carry the token promise to include this client's writes.
  if (token !== undefined)
    observe(options, seenRevision, outcome.body, 'read with consistency token');
  else checkAvailable(options, outcome.body);
}

function observe(
  options: ClientOptions,
  seenRevision: Map<string, bigint>,
  account: Record<string, unknown>,
  what: string,
): void {
  checkAvailable(options, account);
  const id = String(account['id']);
  const raw = account['revision'];
  const revision = BigInt(typeof raw === 'string' || typeof raw === 'number' ? raw : 0);
  const before = seenRevision.get(id);
  if (before !== undefined && revision < before) {
    options.journal.violations.push(
      `client ${options.id}: account ${id} revision went back from ${before} to ${revision} (${what})`,
    );
  }
  if (before === undefined || revision > before) seenRevision.set(id, revision);
}

function checkAvailable(options: ClientOptions, account: Record<string, unknown>): void {
  try {
    if (parseAmount(account['available']) < 0n) {
      options.journal.violations.push(
        `client ${options.id}: account ${String(account['id'])} available ${String(account['available'])} < 0`,
      );
    }
  } catch (error) {
    options.journal.violations.push(`client ${options.id}: ${(error as Error).message}`);
  }
}

function recordOf(
  options: ClientOptions,
  step: number,
  planned: Exclude<PlannedStep, { op: 'read' | 'reversal' }>,
  sub: string,
): CommandRecord {
  return {
    client: options.id,
    step,
    kind: planned.op,
    sub,
    key: `${options.runTag}-c${options.id}-s${step}`,
    account: planned.account,
    ...(planned.op === 'transfer' ? { toAccount: planned.toAccount } : {}),
    amount: planned.amount,
    attempts: 0,
    outcome: 'pending',
  };
}
