import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** The last 16 KiB of stdout and stderr, for error messages. */
  tail(): string;
  readonly exited: Promise<ChildExit>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<ChildExit>;
}

const TAIL_BYTES = 16 * 1024;
/** Children still running, and whether each leads its own process group. */
const running = new Map<ChildProcess, boolean>();
process.once('exit', () => {
  for (const [child, group] of running) signal(child, 'SIGKILL', group);
});

export interface SpawnOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Receives stdout chunks instead of the tail buffer (e.g. NDJSON to count). */
  readonly onStdout?: (chunk: Buffer) => void;
  /** Own process group, so that the whole tree can be signalled (npm start). */
  readonly detached?: boolean;
}

/** Starts a child process with exactly `env`; remembers its output tail; killed if we exit. */
export function spawnChild(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): Child {
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  running.set(child, options.detached ?? false);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  if (options.onStdout) child.stdout?.on('data', options.onStdout);
  else child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exit: ChildExit | undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      exit = { code, signal };
      resolve(exit);
    });
    child.once('error', (error) => {
      running.delete(child);
      keep(Buffer.from(`\nspawn error: ${error.message}\n`));
      exit = { code: -1, signal: null };
      resolve(exit);
    });
  });
  return {
    name,
    pid: child.pid ?? -1,
    process: child,
    tail: () => tail,
    exited,
    hasExited: () => exit !== undefined,
    async stop(graceMs = 10_000) {
      if (exit) return exit;
      signal(child, 'SIGTERM', options.detached ?? false);
      const timer = setTimeout(() => signal(child, 'SIGKILL', options.detached ?? false), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Signals the child, or its whole process group when it leads one. */
export function signal(child: ChildProcess, name: NodeJS.Signals, group: boolean): void {
  if (child.pid === undefined) return;
  try {
    if (group) process.kill(-child.pid, name);
    else child.kill(name);
  } catch {
    // already gone
  }
}

/** The environment of this process without the variables a bench child must not inherit. */
export function baseEnv(drop: readonly string[] = []): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of drop) delete env[key];
  return env;
}
