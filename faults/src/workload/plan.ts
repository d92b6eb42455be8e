import type { Random } from '../random.js';
import type { BankAccounts } from './setup.js';

/**
 * What client `c` does at step `s`: drawn only from the client's own seeded stream, never from
 * outcomes or timing, so the same seed replays the same requests in the same order per client.
 */
export type PlannedStep =
  | {
      readonly op: 'deposit' | 'withdrawal';
      readonly account: string;
      readonly amount: bigint;
      readonly asOwner: boolean;
    }
  | {
      readonly op: 'transfer';
      readonly account: string;
      readonly toAccount: string;
      readonly amount: bigint;
      readonly asOwner: boolean;
    }
  /** Reverses part of the client's latest completed transfer (a read when it has none). */
  | { readonly op: 'reversal'; readonly amount: bigint }
  | { readonly op: 'read'; readonly account: string; readonly asOwner: boolean };

export function planStep(random: Random, accounts: BankAccounts): PlannedStep {
  const ids = accounts.ids;
  const account = random.pick(ids);
  const roll = random.next();
  const asOwner = random.chance(0.7);
  if (roll < 0.05) return { op: 'reversal', amount: BigInt(random.int(1, 20_000)) };
  if (roll < 0.4) {
    let toAccount = random.pick(ids);
    if (toAccount === account) toAccount = ids[(ids.indexOf(account) + 1) % ids.length] ?? account;
    return { op: 'transfer', account, toAccount, amount: BigInt(random.int(1, 30_000)), asOwner };
  }
  if (roll < 0.55)
    return { op: 'deposit', account, amount: BigInt(random.int(1, 20_000)), asOwner: false };
  if (roll < 0.75)
    return { op: 'withdrawal', account, amount: BigInt(random.int(1, 25_000)), asOwner };
  return { op: 'read', account, asOwner };
}
