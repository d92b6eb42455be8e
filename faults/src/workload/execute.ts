import { sleep } from '../log.js';
import { send, type HttpRequest, type Outcome } from './http.js';
import type { CommandRecord, Journal } from './journal.js';

/**
 * Sends a command until its outcome is known or `budgetMs` runs out, always with the same
 * Idempotency-Key (a retry is the same command: the answer is the first one's). Unknown after
 * the budget: left `unknown` for the resolution pass at the end of the run.
 */
export async function settle(
  baseUrl: () => string,
  journal: Journal,
  record: CommandRecord,
  request: HttpRequest,
  budgetMs: number,
  stopAt = Number.POSITIVE_INFINITY,
): Promise<Outcome> {
  const deadline = Math.min(Date.now() + budgetMs, stopAt);
  let pause = 100;
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    if (record.attempts === 0) addAttempted(journal, record);
    record.attempts += 1;
    const outcome = await send(baseUrl(), request);
    if (outcome.kind !== 'unknown') {
      resolve(journal, record, outcome);
      return outcome;
    }
    record.outcome = 'unknown';
    record.status = outcome.status;
    record.code = outcome.reason;
    if (Date.now() + pause >= deadline) return outcome;
    await sleep(pause);
    pause = Math.min(pause * 2, 2000);
  }
  return { kind: 'unknown', status: 0, reason: 'attempts exhausted' };
}

function addAttempted(journal: Journal, record: CommandRecord): void {
  if (record.kind === 'deposit') journal.totals.attemptedDeposits += record.amount;
  if (record.kind === 'withdrawal') journal.totals.attemptedWithdrawals += record.amount;
}

function resolve(journal: Journal, record: CommandRecord, outcome: Outcome): void {
  if (outcome.kind === 'unknown') return;
  record.status = outcome.status;
  if (outcome.kind === 'rejected') {
    record.outcome = 'rejected';
    record.code = outcome.code;
    return;
  }
  record.outcome = 'ack';
  record.code = undefined;
  const position = outcome.body['position'];
  if (typeof position === 'string' && /^[0-9]+$/.test(position)) record.position = BigInt(position);
  if (record.kind === 'transfer' || record.kind === 'reversal') {
    record.transferId = String(outcome.body['id']);
    record.transferStatus = String(outcome.body['status']);
  }
  if (record.kind === 'deposit') journal.totals.ackedDeposits += record.amount;
  if (record.kind === 'withdrawal') journal.totals.ackedWithdrawals += record.amount;
}
