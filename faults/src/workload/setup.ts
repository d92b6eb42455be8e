import type { TokenIssuer } from '../infra/tokens.js';
import { log } from '../log.js';
import { settle } from './execute.js';
import { formatAmount, type CommandRecord, type Journal } from './journal.js';

export interface BankAccounts {
  readonly ids: readonly string[];
  /** Account id → owner (customer sub). */
  readonly owners: ReadonlyMap<string, string>;
  /** Bearer tokens by sub, plus 'teller'. */
  readonly tokens: ReadonlyMap<string, string>;
  readonly tellerSub: string;
}

export const TELLER_SUB = 'faults-teller';
export const OPENING_DEPOSIT = 50_000n;

/**
 * Opens `count` USD accounts for `count / 2` customers (through the gateway, as a teller) and
 * deposits an opening balance into each: the deposits are journalled like any other.
 */
export async function openAccounts(
  baseUrl: string,
  issuer: TokenIssuer,
  journal: Journal,
  count: number,
  runTag: string,
): Promise<BankAccounts> {
  const customers = Math.max(2, Math.ceil(count / 2));
  const tokens = new Map<string, string>();
  tokens.set(TELLER_SUB, await issuer.mint(TELLER_SUB, ['teller']));
  for (let c = 0; c < customers; c += 1) {
    const sub = `faults-customer-${c}`;
    tokens.set(sub, await issuer.mint(sub, ['customer']));
  }
  const teller = tokens.get(TELLER_SUB) as string;
  const ids: string[] = [];
  const owners = new Map<string, string>();
  for (let i = 0; i < count; i += 1) {
    const owner = `faults-customer-${i % customers}`;
    const opened = await settle(
      () => baseUrl,
      journal,
      openRecord(`${runTag}-open-${i}`),
      {
        method: 'POST',
        path: '/v1/accounts',
        token: teller,
        idempotencyKey: `${runTag}-open-${i}`,
        body: { currency: 'USD', ownerId: owner },
      },
      30_000,
    );
    if (opened.kind !== 'ack')
      throw new Error(`could not open account ${i}: ${JSON.stringify(opened)}`);
    const account = (opened.body['account'] ?? {}) as Record<string, unknown>;
    const id = String(account['id']);
    ids.push(id);
    owners.set(id, owner);
  }
  for (const [i, id] of ids.entries()) {
    const record: CommandRecord = {
      client: -1,
      step: i,
      kind: 'deposit',
      sub: TELLER_SUB,
      key: `${runTag}-opening-${i}`,
      account: id,
      amount: OPENING_DEPOSIT,
      attempts: 0,
      outcome: 'pending',
    };
    journal.commands.push(record);
    const outcome = await settle(
      () => baseUrl,
      journal,
      record,
      {
        method: 'POST',
        path: `/v1/accounts/${id}/deposits`,
        token: teller,
        idempotencyKey: record.key,
        body: { amount: formatAmount(OPENING_DEPOSIT) },
      },
      30_000,
    );
    if (outcome.kind !== 'ack')
      throw new Error(`opening deposit ${i} failed: ${JSON.stringify(outcome)}`);
  }
  log(
    `opened ${ids.length} accounts for ${customers} customers, ${formatAmount(OPENING_DEPOSIT)} each`,
  );
  return { ids, owners, tokens, tellerSub: TELLER_SUB };
}

/** Account openings are not money commands; a throwaway record for settle(). */
function openRecord(key: string): CommandRecord {
  return {
    client: -1,
    step: -1,
    kind: 'transfer',
    sub: TELLER_SUB,
    key,
    account: '',
    amount: 0n,
    attempts: 0,
    outcome: 'pending',
  };
}
