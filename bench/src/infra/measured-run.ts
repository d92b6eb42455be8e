import { baseEnv, spawnChild } from './child.js';
import { GNU_TIME, hasGnuTime, peakFromGnuTime, VmHwmSampler } from './peak-memory.js';

export interface MeasuredRun {
  readonly code: number | null;
  readonly seconds: number;
  /** Peak resident set size of the process, MiB. */
  readonly peakRssMiB: number;
  readonly peakSource: 'time -v' | 'VmHWM';
  readonly stdoutLines: number;
  readonly stdoutBytes: number;
  /** Last line of stdout (for --json summaries). */
  readonly lastLine: string;
  readonly tail: string;
}

/**
 * Runs `node <script> <args>` to its end (or `timeoutMs`), timing it and taking its peak RSS:
 * from GNU time when installed (exact), else by polling /proc/<pid>/status VmHWM. Stdout is
 * counted, not kept (a replay writes hundreds of MB of NDJSON).
 */
export async function runMeasured(
  name: string,
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<MeasuredRun> {
  const useTime = hasGnuTime();
  const [command, argv] = useTime
    ? [GNU_TIME, ['-v', process.execPath, script, ...args]]
    : [process.execPath, [script, ...args]];
  let lines = 0;
  let bytes = 0;
  let last = '';
  let partial = '';
  const began = performance.now();
  const child = spawnChild(name, command, argv, {
    // Its own process group: a timeout stops `time` and the node process under it together.
    detached: true,
    env: { ...baseEnv(['DATABASE_URL', 'KAFKA_BROKERS', 'EVENTSTORE_CONNECTION_STRING']), ...env },
    onStdout: (chunk) => {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines += 1;
      partial = (partial + chunk.toString('utf8', Math.max(0, chunk.length - 4096))).slice(-8192);
    },
  });
  const sampler = useTime ? undefined : new VmHwmSampler(child.pid);
  const timer = setTimeout(() => void child.stop(2000), timeoutMs);
  const exit = await child.exited;
  clearTimeout(timer);
  const seconds = (performance.now() - began) / 1000;
  const sampled = sampler?.stop() ?? 0;
  const trimmed = partial.trimEnd();
  last = trimmed.slice(trimmed.lastIndexOf('\n') + 1);
  return {
    code: exit.code,
    seconds,
    peakRssMiB: useTime ? (peakFromGnuTime(child.tail()) ?? Number.NaN) : sampled,
    peakSource: useTime ? 'time -v' : 'VmHWM',
    stdoutLines: lines,
    stdoutBytes: bytes,
    lastLine: last,
    tail: child.tail(),
  };
}
