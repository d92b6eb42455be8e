import { cpus } from 'node:os';
import type pg from 'pg';

export interface SettleResult {
  /** Seconds spent waiting. */
  readonly seconds: number;
  /** Share of the machine's CPU busy over the last window (0..1). */
  readonly busy: number;
  readonly checkpointed: boolean;
}

/**
 * Lets the machine finish what earlier scenarios left behind (a dropped schema, deleted topics,
 * a projector catching up, PostgreSQL writing dirty pages) before a latency phase, so that the
 * phase measures the stack at its offered load and not the previous scenario's tail: a
 * CHECKPOINT (when the role may), then windows of 500 ms until the whole machine is less than
 * `maxBusy` busy, for at most `maxSeconds`. The result is reported with the phase's figures.
 */
export async function settle(
  pool: pg.Pool,
  options: { readonly maxBusy: number; readonly maxSeconds: number },
): Promise<SettleResult> {
  const started = performance.now();
  const checkpointed = await pool.query('CHECKPOINT').then(
    () => true,
    () => false,
  );
  let busy = 1;
  while ((performance.now() - started) / 1000 < options.maxSeconds) {
    const before = cpuTimes();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = cpuTimes();
    const total = after.total - before.total;
    busy = total > 0 ? 1 - (after.idle - before.idle) / total : 1;
    if (busy < options.maxBusy) break;
  }
  return { seconds: (performance.now() - started) / 1000, busy, checkpointed };
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    total += times.idle + times.user + times.nice + times.sys + times.irq;
  }
  return { idle, total };
}
