import { existsSync } from 'node:fs';
import { measureCopyCeiling, type CopyCeiling } from '../ceilings/copy-rebuild.js';
import { guarded } from '../cleanup.js';
import type { BenchContext } from '../context.js';
import { createBenchSchema, dropBenchSchema } from '../infra/database.js';
import { runMeasured, type MeasuredRun } from '../infra/measured-run.js';
import { repoPath } from '../paths.js';
import { ensureEventTable, seedAccountStreams } from '../seed/account-streams.js';

const SCENARIO = '5 rebuild/replay';
const OPS_CLI = 'ops/dist/cli.js';
/** Issue 21's target for `bank rebuild all` on this kind of machine. */
const MIN_REBUILD_RATE = 100_000;
/** "Flat in the event count": peak RSS at N may exceed that at N/4 by at most this factor. */
const MAX_MEMORY_GROWTH = 1.25;
/** --full only: a last row at this many times N, to show rate and memory flat at scale. */
const LARGE_FACTOR = 10;
/** From N to LARGE_FACTOR x N the rate may drop by at most this share. */
const MAX_RATE_LOSS = 0.1;
/** A CLI run's time limit grows with the events: this many per second at least. */
const TIMEOUT_EVENTS_PER_SECOND = 10_000;
/** A rebuild within this share of its physical floor (COPY TO + COPY FROM, no logic). */
const MIN_CEILING_RATIO = 0.5;
const EVENTS_PER_ACCOUNT = 50;

/**
 * Seeds N/4 events (bulk SQL straight into the event store table), runs `bank rebuild all` and
 * `bank replay` (NDJSON to stdout, counted), then seeds up to N and runs both again. Rates are
 * events / wall-clock seconds of the whole CLI process; memory is the CLI's peak RSS. Comparing
 * the two sizes shows whether memory stays flat as the event count grows. At each size the
 * COPY ceiling (measureCopyCeiling) gives the floor both are compared with. --full (only: it
 * seeds and rebuilds LARGE_FACTOR x N events, 10,000,000 by default) adds a third size, whose
 * rate and peak RSS are compared with N's.
 */
export async function runRebuildScenario(ctx: BenchContext): Promise<void> {
  const cli = repoPath(OPS_CLI);
  if (!existsSync(cli)) {
    ctx.results.notRun(SCENARIO, `${OPS_CLI} is not built yet`);
    return;
  }
  const { results, options } = ctx;
  const total = options.events;
  const sizes = [Math.round(total / 4), total];
  if (options.mode === 'full') sizes.push(total * LARGE_FACTOR);
  const schema = await createBenchSchema('rebuild');
  await guarded(
    `schema ${schema.name}`,
    () => dropBenchSchema(schema),
    async () => {
      await ensureEventTable(schema.url);
      const baseTimeoutMs = (options.mode === 'full' ? 900 : 150) * 1000;
      const env = { DATABASE_URL: schema.url, LOG_LEVEL: 'warn' };
      const runs: Array<{
        events: number;
        rebuild: MeasuredRun;
        replay: MeasuredRun;
        ceiling: CopyCeiling;
      }> = [];
      let seeded = 0;
      for (const size of sizes) {
        const accounts = Math.max(1, Math.round((size - seeded) / EVENTS_PER_ACCOUNT));
        const began = performance.now();
        await seedAccountStreams(schema.pool, {
          accounts,
          eventsPerAccount: EVENTS_PER_ACCOUNT,
          openingDeposit: 1_000_000n,
          ownerId: 'bench-owner',
          spreadDays: 30,
        });
        seeded += accounts * EVENTS_PER_ACCOUNT;
        const timeoutMs = Math.max(baseTimeoutMs, (seeded / TIMEOUT_EVENTS_PER_SECOND) * 1000);
        const seedSeconds = (performance.now() - began) / 1000;
        ctx.log(
          `rebuild: seeded ${seeded} events (bulk SQL, ${((accounts * EVENTS_PER_ACCOUNT) / seedSeconds).toFixed(0)} events/s); bank rebuild all`,
        );
        const rebuild = await runMeasured(
          'bank rebuild',
          cli,
          ['rebuild', 'all', '--json'],
          env,
          timeoutMs,
        );
        if (rebuild.code !== 0)
          throw new Error(`bank rebuild all exited ${rebuild.code}: ${lastLines(rebuild.tail)}`);
        ctx.log(`rebuild: ${rebuild.seconds.toFixed(1)} s; bank replay --to stdout`);
        const replay = await runMeasured(
          'bank replay',
          cli,
          ['replay', '--to', 'stdout'],
          env,
          timeoutMs,
        );
        if (replay.code !== 0)
          throw new Error(`bank replay exited ${replay.code}: ${lastLines(replay.tail)}`);
        if (replay.stdoutLines !== seeded)
          ctx.log(`replay wrote ${replay.stdoutLines} lines for ${seeded} events`);
        ctx.log(`replay: ${replay.seconds.toFixed(1)} s; COPY ceiling`);
        const ceiling = await measureCopyCeiling(schema.url);
        runs.push({ events: seeded, rebuild, replay, ceiling });
      }
      for (const run of runs) {
        const label = `${run.events.toLocaleString('en-US')} events`;
        results.atLeast(
          {
            scenario: SCENARIO,
            metric: `bank rebuild all, ${label}: rate`,
            value: run.events / run.rebuild.seconds,
            unit: 'events/s',
            note: `${run.rebuild.seconds.toFixed(1)} s wall incl. process start; CLI says ${cliRate(run.rebuild.lastLine)}`,
          },
          MIN_REBUILD_RATE,
        );
        const { ceiling } = run;
        const floor = run.events / (ceiling.readSeconds + ceiling.writeSeconds);
        results.add({
          scenario: SCENARIO,
          metric: `ceiling: COPY events TO STDOUT, ${label}: rate`,
          value: run.events / ceiling.readSeconds,
          unit: 'events/s',
          note: `${(ceiling.readBytes / 2 ** 20).toFixed(0)} MiB in ${ceiling.readSeconds.toFixed(2)} s, to a sink that counts bytes`,
        });
        results.add({
          scenario: SCENARIO,
          metric: `ceiling: COPY view rows FROM STDIN, ${label}: rate`,
          value: run.events / ceiling.writeSeconds,
          unit: 'events/s',
          note: `${ceiling.rows} rows, ${(ceiling.writeBytes / 2 ** 20).toFixed(0)} MiB in ${ceiling.writeSeconds.toFixed(2)} s, one transaction, no indexes`,
        });
        results.againstCeiling(
          {
            scenario: SCENARIO,
            metric: `bank rebuild all vs COPY TO + COPY FROM, ${label}`,
            value: run.events / run.rebuild.seconds,
            unit: 'events/s',
          },
          { name: 'COPY TO + COPY FROM', value: floor, unit: 'events/s' },
          MIN_CEILING_RATIO,
        );
        results.againstCeiling(
          {
            scenario: SCENARIO,
            metric: `bank replay -> NDJSON vs COPY TO, ${label}`,
            value: run.replay.stdoutLines / run.replay.seconds,
            unit: 'events/s',
          },
          {
            name: 'COPY events TO STDOUT',
            value: run.events / ceiling.readSeconds,
            unit: 'events/s',
          },
        );
        results.add({
          scenario: SCENARIO,
          metric: `bank rebuild all, ${label}: peak RSS`,
          value: run.rebuild.peakRssMiB,
          unit: 'MiB',
          note: `from ${run.rebuild.peakSource}`,
        });
        results.add({
          scenario: SCENARIO,
          metric: `bank replay -> NDJSON, ${label}: rate`,
          value: run.replay.stdoutLines / run.replay.seconds,
          unit: 'events/s',
          note: `${run.replay.stdoutLines} lines, ${(run.replay.stdoutBytes / 2 ** 20).toFixed(0)} MiB in ${run.replay.seconds.toFixed(1)} s`,
        });
        results.add({
          scenario: SCENARIO,
          metric: `bank replay -> NDJSON, ${label}: peak RSS`,
          value: run.replay.peakRssMiB,
          unit: 'MiB',
        });
      }
      const [small, large, largest] = runs;
      if (large && largest) {
        const label = `${large.events.toLocaleString('en-US')} -> ${largest.events.toLocaleString('en-US')} events`;
        const rate = (run: (typeof runs)[number]): number => run.events / run.rebuild.seconds;
        results.atLeast(
          {
            scenario: SCENARIO,
            metric: `bank rebuild all rate kept, ${label}`,
            value: rate(largest) / rate(large),
            unit: 'x',
            note: 'flat in the event count means ~1.0x',
          },
          1 - MAX_RATE_LOSS,
        );
        results.atMost(
          {
            scenario: SCENARIO,
            metric: `rebuild peak RSS growth, ${label}`,
            value: largest.rebuild.peakRssMiB / large.rebuild.peakRssMiB,
            unit: 'x',
            note: `flat in the event count means ~1.0x for ${LARGE_FACTOR}x the events`,
          },
          MAX_MEMORY_GROWTH,
        );
      }
      if (small && large) {
        for (const which of ['rebuild', 'replay'] as const) {
          results.atMost(
            {
              scenario: SCENARIO,
              metric: `${which} peak RSS growth, ${small.events.toLocaleString('en-US')} -> ${large.events.toLocaleString('en-US')} events`,
              value: large[which].peakRssMiB / small[which].peakRssMiB,
              unit: 'x',
              note: 'flat in the event count means ~1.0x for 4x the events',
            },
            MAX_MEMORY_GROWTH,
          );
        }
      }
      results.add({
        scenario: SCENARIO,
        metric: 'seeding',
        value: seeded,
        unit: 'events',
        note: `bulk INSERT ... SELECT into the event store table (not through the command path); ${EVENTS_PER_ACCOUNT} events per account stream`,
      });
    },
  );
}

function cliRate(lastLine: string): string {
  try {
    const summary = JSON.parse(lastLine) as { eventsPerSecond?: unknown; events?: unknown };
    return `${String(summary.eventsPerSecond)} events/s for ${String(summary.events)} events`;
  } catch {
    return 'no summary';
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-5).join(' | ');
}
