/** Every command the workload sent, and what finally became of it. */
export type CommandKind = 'deposit' | 'withdrawal' | 'transfer' | 'reversal';

export interface CommandRecord {
  readonly client: number;
  readonly step: number;
  readonly kind: CommandKind;
  /** The principal (JWT sub) that sent it: the command id is derived from (sub, key). */
  readonly sub: string;
  readonly key: string;
  readonly account: string;
  readonly toAccount?: string;
  /** A reversal's original transfer. */
  readonly reversalOf?: string;
  /** Minor units. */
  readonly amount: bigint;
  attempts: number;
  outcome: 'pending' | 'ack' | 'rejected' | 'unknown';
  status?: number;
  code?: string;
  position?: bigint;
  transferId?: string;
  transferStatus?: string;
}

export interface Journal {
  readonly commands: CommandRecord[];
  /** Client-side money: acknowledged and attempted (sent at least once) totals. */
  readonly totals: MoneyTotals;
  reads: { ok: number; failed: number };
  /** Findings made while the run goes on (revision going backwards, negative available...). */
  readonly violations: string[];
}

export interface MoneyTotals {
  ackedDeposits: bigint;
  ackedWithdrawals: bigint;
  attemptedDeposits: bigint;
  attemptedWithdrawals: bigint;
}

export function createJournal(): Journal {
  return {
    commands: [],
    totals: {
      ackedDeposits: 0n,
      ackedWithdrawals: 0n,
      attemptedDeposits: 0n,
      attemptedWithdrawals: 0n,
    },
    reads: { ok: 0, failed: 0 },
    violations: [],
  };
}

export function countOutcomes(journal: Journal): Record<CommandRecord['outcome'], number> {
  const counts = { pending: 0, ack: 0, rejected: 0, unknown: 0 };
  for (const command of journal.commands) counts[command.outcome] += 1;
  return counts;
}

/** "12.34" for 1234 minor units (USD: two decimals). */
export function formatAmount(minor: bigint): string {
  const units = minor / 100n;
  const cents = (minor % 100n).toString().padStart(2, '0');
  return `${units}.${cents}`;
}

/** 1234n for "12.34", or "-12.34" → -1234n: the answers' SignedAmount strings. */
export function parseAmount(text: unknown): bigint {
  if (typeof text !== 'string' || !/^-?[0-9]+(\.[0-9]{1,2})?$/.test(text)) {
    throw new Error(`not a USD amount: ${JSON.stringify(text)}`);
  }
  const negative = text.startsWith('-');
  const [units = '0', cents = ''] = text.replace('-', '').split('.');
  const value = BigInt(units) * 100n + BigInt(cents.padEnd(2, '0'));
  return negative ? -value : value;
}
