import { spawn, type ChildProcess } from 'node:child_process';

/** Says when a started process is ready: a line it prints, or a check polled until true. */
export type ReadyWhen = string | RegExp | (() => boolean | Promise<boolean>);

export interface StartProcessOptions {
  /** How long to wait for readiness (default 30 000 ms). */
  readonly timeoutMs?: number;
  readonly cwd?: string;
  /** Also echo the child's output to this process's stderr (handy while debugging a test). */
  readonly echo?: boolean;
  /**
   * Runs the process as the leader of a process group of its own, and signals go to the whole
   * group: as a terminal's Ctrl-C reaches a foreground command and everything it started
   * without a group of its own.
   */
  readonly processGroup?: boolean;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartedProcess {
  readonly pid: number;
  /** Everything the process printed so far, stdout and stderr interleaved. */
  readonly output: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** Sends a signal (default SIGKILL: a crash) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<ProcessExit>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** Children still running, each with how to kill it (and its group). */
const running = new Map<ChildProcess, () => void>();
let exitHookInstalled = false;

/**
 * Starts a child process (for crash and restart tests) and resolves once it is ready.
 * `env` is added to this process's environment. If the process exits or times out before it is
 * ready, the promise rejects with its output. Children still running when the test process
 * exits are killed.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
  readyWhen: ReadyWhen,
  options: StartProcessOptions = {},
): Promise<StartedProcess> {
  installExitHook();
  const { timeoutMs = 30_000, cwd, echo = false, processGroup = false } = options;
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: processGroup,
  });
  const signal = (name: NodeJS.Signals): void => {
    if (processGroup && child.pid !== undefined) {
      try {
        process.kill(-child.pid, name);
      } catch {
        // the group is gone
      }
    } else child.kill(name);
  };
  running.set(child, () => signal('SIGKILL'));

  let output = '';
  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      exit = { code, signal };
      resolve(exit);
    });
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error) => {
      running.delete(child);
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
  });
  spawnError.catch(() => {}); // reported through `ready` below

  const lineWaiters: Array<() => void> = [];
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output += text;
    if (echo) process.stderr.write(text);
    for (const wake of lineWaiters.splice(0)) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  const describe = `${command} ${args.join(' ')}`;
  const failure = (why: string): Error =>
    new Error(`${describe}: ${why}. Output so far:\n${output.slice(-4000)}`);

  const ready = (async () => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (typeof readyWhen === 'function') {
        if (
          await Promise.resolve()
            .then(readyWhen)
            .catch(() => false)
        )
          return;
      } else if (matches(output, readyWhen)) {
        return;
      }
      if (exit)
        throw failure(`exited (code ${exit.code}, signal ${exit.signal}) before it was ready`);
      const left = deadline - Date.now();
      if (left <= 0) throw failure(`not ready within ${timeoutMs} ms`);
      // Wake on new output or exit, or poll a readiness check every 100 ms.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          resolve,
          Math.min(left, typeof readyWhen === 'function' ? 100 : 1000),
        );
        lineWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
        void exited.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  })();

  try {
    await Promise.race([ready, spawnError]);
  } catch (error) {
    signal('SIGKILL');
    throw error;
  }

  const pid = child.pid;
  if (pid === undefined) throw failure('has no pid');

  const kill = async (name: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> => {
    if (!exit) signal(name);
    return exited;
  };
  return {
    pid,
    get output() {
      return output;
    },
    exited,
    kill,
    async stop(graceMs = 10_000) {
      if (exit) return exit;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function matches(output: string, readyWhen: string | RegExp): boolean {
  return typeof readyWhen === 'string' ? output.includes(readyWhen) : readyWhen.test(output);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const killGroup of running.values()) killGroup();
  });
}
