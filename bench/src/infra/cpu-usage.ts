import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the machine's CPU went during a phase, by kind of process: each service, PostgreSQL (the
 * server and all its backends), the Kafka broker, and the bench itself (its load generator). Read
 * from /proc/<pid>/stat (utime + stime, in clock ticks of 10 ms) before and after; processes that
 * start or end inside the phase count for what they used while they were seen. Linux only: on
 * other systems `snapshot()` answers an empty map and the breakdown is left out.
 */
export type CpuGroup =
  | 'gateway'
  | 'command-service'
  | 'query-service'
  | 'projector'
  | 'postgres'
  | 'kafka'
  | 'floor'
  | 'bench'
  | 'other';

const TICKS_PER_SECOND = 100;

export type CpuSnapshot = ReadonlyMap<number, { readonly group: CpuGroup; readonly ticks: number }>;

function groupOf(pid: number, comm: string): CpuGroup | undefined {
  if (pid === process.pid) return 'bench';
  if (comm === 'postgres') return 'postgres';
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
  if (comm === 'java' && cmdline.includes('kafka')) return 'kafka';
  if (comm !== 'node' && comm !== 'MainThread') return undefined;
  if (cmdline.includes('ceilings/floor-')) return 'floor';
  for (const service of ['gateway', 'command-service', 'query-service', 'projector'] as const) {
    if (cmdline.includes(`${service}/dist/main.js`)) return service;
  }
  return undefined;
}

export function snapshot(): CpuSnapshot {
  const out = new Map<number, { group: CpuGroup; ticks: number }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name));
  } catch {
    return out;
  }
  for (const name of pids) {
    const pid = Number(name);
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid ... : comm may hold spaces, so split after the last ')'.
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(open + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const group = groupOf(pid, comm);
    if (!group) continue;
    // Fields after ')' start at field 3 (state); utime is field 14, stime field 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (Number.isFinite(ticks)) out.set(pid, { group, ticks });
  }
  return out;
}

export interface CpuBreakdown {
  /** CPU seconds per group over the phase. */
  readonly seconds: ReadonlyMap<CpuGroup, number>;
  readonly totalSeconds: number;
}

export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuBreakdown {
  const seconds = new Map<CpuGroup, number>();
  let total = 0;
  for (const [pid, end] of after) {
    const used = (end.ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_SECOND;
    if (used <= 0) continue;
    seconds.set(end.group, (seconds.get(end.group) ?? 0) + used);
    total += used;
  }
  return { seconds, totalSeconds: total };
}

/** e.g. `postgres 2.10 ms, command-service 1.52 ms, ...` per unit of work, largest first. */
export function describePerUnit(cpu: CpuBreakdown, units: number, unitName: string): string {
  if (units <= 0 || cpu.totalSeconds === 0) return '';
  const parts = [...cpu.seconds.entries()]
    .sort(([, a], [, b]) => b - a)
    .map(([group, s]) => `${group} ${((s * 1000) / units).toFixed(2)}`);
  return `CPU ms per ${unitName}: ${parts.join(', ')}; total ${((cpu.totalSeconds * 1000) / units).toFixed(2)}`;
}
