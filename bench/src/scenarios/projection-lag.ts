import { mintToken } from '../auth.js';
import type { BenchContext } from '../context.js';
import type { StackSession } from '../infra/stack-session.js';
import { settle } from '../infra/settle.js';
import { headPosition } from '../infra/watermark.js';
import { LatencyRecorder } from '../load/latency.js';
import { runPacedHttpLoad } from '../load/paced-http-load.js';
import { commandRequest, nextCommand } from './command-mix.js';
import { depositToEachAccount, warmUpSeconds } from './commands.js';

const SCENARIO = '3 projection lag';
const MAX_LAG_P99_MS = 100;
const MAX_COMMAND_P99_MS = 25;

/**
 * Offers the command mix at a fixed rate (half the measured maximum, evenly spaced, latency from
 * when each request was due) through the gateway and,
 * for every acknowledged command, times acknowledgement → the read models' watermark (what a read
 * with that consistency token waits for) reaching the command's position. The watermark is
 * re-read on every projector NOTIFY and every 10 ms, so the figure is at most ~10 ms pessimistic.
 */
export async function runLagScenario(
  ctx: BenchContext,
  session: StackSession,
  rate: number,
): Promise<void> {
  const { options, results } = ctx;
  const mode = session.kafka ? 'Kafka' : 'embedded';
  const token = await mintToken(ctx.jwtSecret, 'bench-teller', ['teller']);
  const lags = new LatencyRecorder();
  const pending: Array<{ position: bigint; at: number }> = [];
  let unparsable = 0;
  const off = session.watcher.onAdvance((watermark, at) => {
    for (let i = pending.length - 1; i >= 0; i -= 1) {
      const entry = pending[i];
      if (entry && entry.position <= watermark) {
        lags.add(Math.max(0, at - entry.at));
        pending.splice(i, 1);
      }
    }
  });
  try {
    ctx.log(
      `lag (${mode}): ${rate.toFixed(0)} commands/s offered for ${options.durationSeconds} s`,
    );
    const load = (seconds: number, track: boolean) =>
      runPacedHttpLoad({
        url: session.stack.gatewayUrl,
        connections: options.concurrency,
        durationSeconds: seconds,
        rate,
        next: () => commandRequest(nextCommand(session.accounts), token),
        ...(track
          ? {
              onBody: (status: number, body: string) => {
                if (status < 200 || status >= 300) return;
                const at = performance.now();
                const position = positionOf(body);
                if (position === undefined) unparsable += 1;
                else if (position <= session.watcher.current) lags.add(0);
                else pending.push({ position, at });
              },
            }
          : {}),
      });
    // A command service whose cache holds the accounts, as at full speed (see the commands).
    await depositToEachAccount(ctx, session, token);
    // Start from a caught-up projection, not behind the backlog of an earlier scenario.
    const head = await headPosition(session.pool);
    const began = performance.now();
    await session.watcher.waitFor(head, 60_000);
    ctx.log(
      `lag (${mode}): projection at the head (${head}) after ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    const quiet = await settle(session.pool, { maxBusy: 0.15, maxSeconds: 20 });
    ctx.log(
      `lag (${mode}): settled in ${quiet.seconds.toFixed(1)} s (machine ${(quiet.busy * 100).toFixed(0)}% busy` +
        `${quiet.checkpointed ? ', after a CHECKPOINT' : ''})`,
    );
    await load(warmUpSeconds(ctx), false);
    const run = await load(options.durationSeconds, true);
    const drainUntil = performance.now() + 15_000;
    while (pending.length > 0 && performance.now() < drainUntil)
      await new Promise((r) => setTimeout(r, 20));

    const lag = lags.summary();
    const base = `${mode}, ${rate.toFixed(0)} cmd/s offered`;
    results.add({
      scenario: SCENARIO,
      metric: `${base}: achieved`,
      value: run.okThroughput,
      unit: 'cmd/s',
      note: `${run.outcomes.total} answers, ${run.outcomes.errors + run.outcomes.conflicts + run.outcomes.rejections} not 2xx (${run.outcomes.describe()})`,
    });
    results.atMost(
      {
        scenario: SCENARIO,
        metric: `${base}: command latency p99`,
        value: run.latency.p99,
        unit: 'ms',
        note:
          `p50 ${run.latency.p50.toFixed(1)} ms, p95 ${run.latency.p95.toFixed(1)} ms; ` +
          `started with the machine ${(quiet.busy * 100).toFixed(0)}% busy after ${quiet.seconds.toFixed(1)} s settling; ` +
          `the load generator late by p50 ${run.lateness.p50.toFixed(1)} / p99 ${run.lateness.p99.toFixed(1)} / max ${run.lateness.max.toFixed(0)} ms; by route: ` +
          [...run.byRoute]
            .map(([route, l]) => `${route} p50 ${l.p50.toFixed(1)} / p99 ${l.p99.toFixed(1)} ms`)
            .join(', '),
      },
      MAX_COMMAND_P99_MS,
    );
    results.add({ scenario: SCENARIO, metric: `${base}: lag p50`, value: lag.p50, unit: 'ms' });
    results.atMost(
      {
        scenario: SCENARIO,
        metric: `${base}: lag p99`,
        value: lag.p99,
        unit: 'ms',
        note:
          `${lag.count} commands timed, max ${lag.max.toFixed(0)} ms` +
          (pending.length > 0
            ? `; ${pending.length} not visible after 15 s (watermark ${session.watcher.current}, ` +
              `newest acknowledged position ${maxPosition(pending)})`
            : '') +
          (unparsable > 0 ? `; ${unparsable} answers without a position` : ''),
      },
      MAX_LAG_P99_MS,
    );
    const { events, seconds } = session.catchUp;
    // Only meaningful when the projector had real work left after start-up.
    if (events >= 10_000 && seconds >= 0.5) {
      results.againstCeiling(
        {
          scenario: SCENARIO,
          metric: `${mode}: projector catch-up of seeded events`,
          value: events / seconds,
          unit: 'events/s',
          note: `${events} events in ${seconds.toFixed(1)} s from the stack being ready (lower bound)`,
        },
        session.kafka ? ctx.ceilings.kafka : undefined,
      );
    }
  } finally {
    off();
  }
}

function positionOf(body: string): bigint | undefined {
  try {
    const parsed = JSON.parse(body) as { position?: unknown };
    return typeof parsed.position === 'string' && /^[0-9]+$/.test(parsed.position)
      ? BigInt(parsed.position)
      : undefined;
  } catch {
    return undefined;
  }
}

function maxPosition(pending: ReadonlyArray<{ position: bigint }>): string {
  return pending.reduce((max, p) => (p.position > max ? p.position : max), 0n).toString();
}
