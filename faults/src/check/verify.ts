import { runBank, type BankRun } from '@bank/testkit';

/** `bank verify` as a child process against the run's database: exit 0 only when equal. */
export function runBankVerify(databaseUrl: string, timeoutMs = 180_000): Promise<BankRun> {
  return runBank(['verify'], databaseUrl, timeoutMs);
}
