import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './stack.js';

/** The operator CLI's executable, run as operators run it. */
export const BANK_CLI = join(REPO_ROOT, 'ops/bin/bank.js');

export interface BankRun {
  readonly code: number | null;
  /** stdout and stderr interleaved, the last 20,000 characters. */
  readonly output: string;
}

/**
 * `bank <args>` as a child process against `databaseUrl` and nothing else of the caller's
 * environment; killed (SIGKILL) after `timeoutMs`.
 */
export function runBank(
  args: readonly string[],
  databaseUrl: string,
  timeoutMs = 180_000,
): Promise<BankRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BANK_CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
