import { mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the system `npm start` runs: written by scripts/start.mjs into the checkout's state
 * folder (`.bank/`, git-ignored; BANK_STATE_DIR moves it), read by the `bank` CLI when
 * DATABASE_URL is unset and by `npm run monitor`. Removed when the stack stops cleanly; a file
 * whose start.mjs is gone (a crash) is stale and replaced by the next start.
 */
export const STACK_STATE_FORMAT = 'bank-state/1';

export interface ServiceState {
  readonly pid: number | null;
  readonly metricsPort: number;
  readonly grpcPort?: number;
  readonly restarts: number;
}

export interface StackState {
  readonly format: typeof STACK_STATE_FORMAT;
  /** The pid of scripts/start.mjs. */
  readonly pid: number;
  /** Its script path: a pid reused by another program (after a reboot) is not mistaken for it. */
  readonly command?: string;
  readonly startedAt: string;
  readonly status: 'starting' | 'ready' | 'stopping';
  /** With its credentials: the CLI connects with it. */
  readonly databaseUrl: string | null;
  /** Set when start.mjs runs its own PostgreSQL server. */
  readonly embeddedPostgres: {
    readonly dataDir: string;
    readonly port: number;
    readonly pid: number | null;
  } | null;
  readonly eventStoreConnectionString: string | null;
  readonly kafkaBrokers: readonly string[];
  readonly gateway: { readonly url: string; readonly host: string; readonly port: number };
  readonly services: Readonly<Record<string, ServiceState>>;
}

/** The checkout this module is part of (ops/dist/stack-state.js → the repository root). */
export const CHECKOUT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Env = Record<string, string | undefined>;

/** `.bank/` of the checkout, or BANK_STATE_DIR. */
export function stateDir(env: Env = process.env): string {
  const dir = env['BANK_STATE_DIR'];
  return dir ? resolve(dir) : join(CHECKOUT_ROOT, '.bank');
}

export function stateFile(env: Env = process.env): string {
  return join(stateDir(env), 'state.json');
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type StateLookup =
  | { readonly kind: 'none'; readonly file: string }
  | { readonly kind: 'running'; readonly file: string; readonly state: StackState }
  | { readonly kind: 'stale'; readonly file: string; readonly state: StackState }
  | { readonly kind: 'unreadable'; readonly file: string; readonly reason: string };

/** Reads the state file and says whether the start.mjs it names still runs. */
export function lookUpStackState(env: Env = process.env): StateLookup {
  const file = stateFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none', file };
    return { kind: 'unreadable', file, reason: (error as Error).message };
  }
  let state: StackState;
  try {
    state = JSON.parse(text) as StackState;
  } catch (error) {
    return { kind: 'unreadable', file, reason: `not JSON: ${(error as Error).message}` };
  }
  if (state.format !== STACK_STATE_FORMAT || !Number.isInteger(state.pid)) {
    return {
      kind: 'unreadable',
      file,
      reason: `format ${JSON.stringify(state.format)}, expected ${STACK_STATE_FORMAT}`,
    };
  }
  return { kind: runs(state) ? 'running' : 'stale', file, state };
}

/** Whether the recorded start.mjs still runs: its pid lives and, where /proc says, runs it. */
function runs(state: StackState): boolean {
  if (!processAlive(state.pid)) return false;
  if (!state.command) return true;
  try {
    const cwd = readlinkSync(`/proc/${state.pid}/cwd`);
    return readFileSync(`/proc/${state.pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => arg !== '' && resolve(cwd, arg) === state.command);
  } catch {
    return true; // no /proc here: the pid is all there is to go by
  }
}

/** Writes the whole state at once (a temporary file renamed over the old one). */
export function writeStackState(state: StackState, env: Env = process.env): string {
  const file = stateFile(env);
  mkdirSync(stateDir(env), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  return file;
}

export function removeStackState(env: Env = process.env): void {
  rmSync(stateFile(env), { force: true });
}

/** A URL with its password replaced by `***`, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
