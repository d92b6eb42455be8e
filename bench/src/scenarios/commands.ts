import { mintToken } from '../auth.js';
import type { BenchContext } from '../context.js';
import { cpus } from 'node:os';
import { cpuBetween, describePerUnit, snapshot } from '../infra/cpu-usage.js';
import type { StackSession } from '../infra/stack-session.js';
import { runClosedLoop, type ClosedLoopResult } from '../load/closed-loop.js';
import { runHttpLoad, type HttpLoadResult } from '../load/http-load.js';
import { readPgCounters, pgPerUnit, type PgCounters } from '../infra/pg-counters.js';
import { describeStreamLoads, readStreamLoads, type StreamLoads } from '../infra/stream-loads.js';
import {
  batchRequest,
  commandRequest,
  MIX_DESCRIPTION,
  nextCommand,
  type MixCommand,
} from './command-mix.js';
import { ACTOR, CommandClient } from './grpc-commands.js';

const SCENARIO = '2 commands';
/** End-to-end commands must reach this share of the PostgreSQL single-insert ceiling. */
const MIN_RATIO_TO_POSTGRES = 0.1;
/** ... and this share of the floor row (the same hops with no logic, ceilings.ts). */
const MIN_RATIO_TO_FLOOR = 0.4;
/** ... at no more than this CPU per mix command, over every process of the machine (ms). */
const MAX_CPU_MS_PER_COMMAND = 1.5;
const IDLE_SECONDS = 5;
/** The legs of each atomic batch of the batched-transfers row. */
const BATCH_LEGS = 100;

/**
 * The command mix at full speed (closed loop, `concurrency` connections, each with one request in
 * flight): through the gateway over 10,000 accounts and over 10 hot ones, then straight at the
 * command service over gRPC. Each request has its own Idempotency-Key (command id).
 */
export async function runCommandScenarios(ctx: BenchContext, session: StackSession): Promise<void> {
  const { options } = ctx;
  const token = await mintToken(ctx.jwtSecret, 'bench-teller', ['teller']);
  const gateway = (
    accounts: readonly string[],
    seconds: number,
    only?: MixCommand['kind'],
  ): Promise<HttpLoadResult> =>
    runHttpLoad({
      url: session.stack.gatewayUrl,
      connections: options.concurrency,
      durationSeconds: seconds,
      maxRequests: options.maxRequests,
      next: () => commandRequest(nextCommand(accounts, only), token),
    });

  // What the stack burns with nothing to do: polling and timers, charged to every command below.
  const idleCpu = snapshot();
  const idleStarted = performance.now();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const idle = cpuBetween(idleCpu, snapshot());
  const idleSeconds = (performance.now() - idleStarted) / 1000;
  ctx.results.add({
    scenario: SCENARIO,
    metric: `stack idle for ${IDLE_SECONDS} s: CPU busy`,
    value: (idle.totalSeconds / (idleSeconds * cpus().length)) * 100,
    unit: '%',
    note: describePerUnit(idle, idleSeconds, 'second'),
  });

  ctx.log(`commands: a first deposit to each of ${session.accounts.length} accounts (cold cache)`);
  const coldBefore = await readStreamLoads(session.stack.commandMetricsUrls);
  const cold = await depositToEachAccount(ctx, session, token);
  const coldAfter = await readStreamLoads(session.stack.commandMetricsUrls);
  ctx.results.againstCeiling(
    {
      scenario: SCENARIO,
      metric: 'gateway, a first deposit to each account (cold cache): throughput (2xx)',
      value: cold.okThroughput,
      unit: 'cmd/s',
      note: `${cold.outcomes.total} answers in ${cold.seconds.toFixed(1)} s (${cold.outcomes.describe()}); ${describeStreamLoads(coldBefore, coldAfter, cold.outcomes.total)}`,
    },
    ctx.ceilings.postgresInsert,
  );

  ctx.log(
    `commands: warm-up, then ${MIX_DESCRIPTION} through the gateway over ${session.accounts.length} accounts`,
  );
  await gateway(session.accounts, warmUpSeconds(ctx));
  const lowName = `gateway, ${session.accounts.length.toLocaleString('en-US')} accounts`;
  const lowStarted = await phaseStart(session);
  const low = await gateway(session.accounts, options.durationSeconds);
  await reportCpu(ctx, session, lowName, low, lowStarted, MAX_CPU_MS_PER_COMMAND);
  ctx.commandMaxThroughput = low.okThroughput;
  report(ctx, lowName, low, MIN_RATIO_TO_POSTGRES);
  ctx.results.againstCeiling(
    {
      scenario: SCENARIO,
      metric: `${lowName}: throughput against the floor row`,
      value: low.okThroughput,
      unit: 'cmd/s',
    },
    ctx.ceilings.floor,
    MIN_RATIO_TO_FLOOR,
  );

  // One kind at a time: what a deposit and a transfer each cost, beside the mix.
  for (const kind of ['deposit', 'transfer'] as const) {
    ctx.log(`commands: ${kind}s only through the gateway over ${session.accounts.length} accounts`);
    await gateway(session.accounts, warmUpSeconds(ctx), kind);
    const name = `gateway, ${kind}s only`;
    const started = await phaseStart(session);
    const run = await gateway(session.accounts, options.durationSeconds, kind);
    await reportCpu(ctx, session, name, run, started);
    report(ctx, name, run);
  }

  // Transfers in atomic batches: each batch one command and one durable append.
  ctx.log(`commands: atomic batches of ${BATCH_LEGS} transfers through the gateway`);
  const batches = (seconds: number): Promise<HttpLoadResult> =>
    runHttpLoad({
      url: session.stack.gatewayUrl,
      connections: options.concurrency,
      durationSeconds: seconds,
      maxRequests: options.maxRequests,
      next: () => batchRequest(session.accounts, BATCH_LEGS, token),
    });
  await batches(warmUpSeconds(ctx));
  const batchName = `gateway, atomic batches of ${BATCH_LEGS} transfers`;
  const batchStarted = await phaseStart(session);
  const batched = await batches(options.durationSeconds);
  await reportCpu(ctx, session, batchName, batched, batchStarted);
  report(ctx, batchName, batched);
  ctx.results.againstCeiling(
    {
      scenario: SCENARIO,
      metric: `${batchName}: transfers (legs) per second`,
      value: batched.okThroughput * BATCH_LEGS,
      unit: 'legs/s',
      note: `${batched.okThroughput.toFixed(1)} batches/s; compare "gateway, transfers only"`,
    },
    ctx.ceilings.postgresInsert,
  );

  ctx.log(`commands: the same mix over ${session.hotAccounts.length} hot accounts`);
  const hot = await gateway(session.hotAccounts, options.durationSeconds);
  report(ctx, `gateway, ${session.hotAccounts.length} hot accounts`, hot);

  ctx.log('commands: the same mix straight at the command service over gRPC');
  const client = new CommandClient(
    session.stack.commandAddress,
    session.stack.mintToken(ACTOR.id, ACTOR.roles),
    session.stack.grpcTls,
  );
  try {
    const grpcRun = (seconds: number): Promise<ClosedLoopResult> =>
      runClosedLoop({
        concurrency: options.concurrency,
        durationSeconds: seconds,
        maxOperations: options.maxRequests,
        operation: () => client.run(nextCommand(session.accounts)),
      });
    await grpcRun(warmUpSeconds(ctx));
    // One command at a time: the service time of the write path with no queueing at all.
    const single = await runClosedLoop({
      concurrency: 1,
      durationSeconds: warmUpSeconds(ctx),
      maxOperations: options.maxRequests,
      operation: () => client.run(nextCommand(session.accounts)),
    });
    ctx.results.add({
      scenario: SCENARIO,
      metric: 'gRPC direct, 1 in flight: latency p50',
      value: single.latency.p50,
      unit: 'ms',
      note: `p99 ${single.latency.p99.toFixed(1)} ms over ${single.outcomes.total} commands (${single.outcomes.describe()})`,
    });
    const directStarted = await phaseStart(session);
    const direct = await grpcRun(options.durationSeconds);
    const directName = `gRPC direct, ${session.accounts.length.toLocaleString('en-US')} accounts`;
    report(ctx, directName, direct);
    await reportCpu(ctx, session, directName, direct, directStarted);
    ctx.results.add({
      scenario: SCENARIO,
      metric: 'gateway cost: throughput gateway / gRPC direct',
      value: direct.okThroughput > 0 ? low.okThroughput / direct.okThroughput : Number.NaN,
      unit: 'x',
      note: `p50 +${(low.latency.p50 - direct.latency.p50).toFixed(2)} ms, p99 +${(low.latency.p99 - direct.latency.p99).toFixed(2)} ms through the gateway`,
    });
  } finally {
    client.close();
  }
}

export function warmUpSeconds(ctx: BenchContext): number {
  return Math.min(3, Math.max(1, ctx.options.durationSeconds / 4));
}

function report(ctx: BenchContext, what: string, run: HttpLoadResult, minRatio?: number): void {
  const { results } = ctx;
  results.againstCeiling(
    {
      scenario: SCENARIO,
      metric: `${what}: throughput (2xx)`,
      value: run.okThroughput,
      unit: 'cmd/s',
      note: `${run.outcomes.total} answers in ${run.seconds.toFixed(1)} s`,
    },
    ctx.ceilings.postgresInsert,
    minRatio,
  );
  for (const p of ['p50', 'p95', 'p99'] as const) {
    results.add({
      scenario: SCENARIO,
      metric: `${what}: latency ${p}`,
      value: run.latency[p],
      unit: 'ms',
    });
  }
  results.add({
    scenario: SCENARIO,
    metric: `${what}: conflicts (409/ABORTED)`,
    value: run.outcomes.conflicts,
    unit: '',
  });
  results.add({
    scenario: SCENARIO,
    metric: `${what}: errors (other non-2xx)`,
    value: run.outcomes.errors + run.outcomes.rejections,
    unit: '',
    note: `by status ${run.outcomes.describe()}`,
  });
}

/** The counters a measured phase is reported against, read as it starts. */
interface PhaseStart {
  readonly cpu: ReturnType<typeof snapshot>;
  readonly pg: PgCounters;
  readonly loads: StreamLoads;
}

async function phaseStart(session: StackSession): Promise<PhaseStart> {
  return {
    cpu: snapshot(),
    pg: await readPgCounters(),
    loads: await readStreamLoads(session.stack.commandMetricsUrls),
  };
}

/**
 * CPU time per command over the phase, all processes of the machine's stack together, with the
 * share of the machine's cores they kept busy: the figure that says whether the stack is
 * CPU-bound, and which process to make cheaper.
 */
async function reportCpu(
  ctx: BenchContext,
  session: StackSession,
  what: string,
  run: HttpLoadResult,
  started: PhaseStart,
  maxCpuMs?: number,
): Promise<void> {
  const cpu = cpuBetween(started.cpu, snapshot());
  const pg = pgPerUnit(started.pg, await readPgCounters(), run.outcomes.total);
  const loads = await readStreamLoads(session.stack.commandMetricsUrls);
  const commands = run.outcomes.total;
  ctx.results.add({
    scenario: SCENARIO,
    metric: `${what}: WAL flushes per command`,
    value: pg.walFlushes,
    unit: '',
    note: `pg_stat_wal.wal_sync delta, whole server; ${pg.transactions.toFixed(2)} transactions per command (pg_stat_database, whole database); statements are not counted without pg_stat_statements; ${describeStreamLoads(started.loads, loads, commands)}`,
  });
  if (cpu.totalSeconds === 0 || commands === 0) return;
  const busy = cpu.totalSeconds / (run.seconds * cpus().length);
  const row = {
    scenario: SCENARIO,
    metric: `${what}: CPU per command (all processes)`,
    value: (cpu.totalSeconds * 1000) / commands,
    unit: 'ms',
    note: `${describePerUnit(cpu, commands, 'command')}; ${(busy * 100).toFixed(0)}% of ${cpus().length} cores busy`,
  };
  if (maxCpuMs === undefined) ctx.results.add(row);
  else ctx.results.atMost(row, maxCpuMs);
}

/**
 * One deposit of 1.00 to each account. The seed wrote the accounts straight into the store, so
 * the command service has cached none of them and each account's first command reads its stream
 * whole; after this pass its stream cache holds every account (COMMAND_CACHE_STREAMS is larger
 * than the bench's accounts), as in a service that has run a while, and the full-speed phases
 * measure that steady state.
 */
export function depositToEachAccount(
  ctx: BenchContext,
  session: StackSession,
  token: string,
): Promise<HttpLoadResult> {
  let touched = 0;
  return runHttpLoad({
    url: session.stack.gatewayUrl,
    connections: ctx.options.concurrency,
    durationSeconds: 120,
    maxRequests: session.accounts.length,
    next: () =>
      commandRequest(
        {
          kind: 'deposit',
          account: session.accounts[touched++ % session.accounts.length] ?? '',
          amount: '1.00',
        },
        token,
      ),
  });
}

/** Without the commands scenario, a short full-speed run (cache warmed as there) tells what "half load" is. */
export async function probeCommandMaximum(ctx: BenchContext, session: StackSession): Promise<void> {
  const token = await mintToken(ctx.jwtSecret, 'bench-teller', ['teller']);
  await depositToEachAccount(ctx, session, token);
  const run = await runHttpLoad({
    url: session.stack.gatewayUrl,
    connections: ctx.options.concurrency,
    durationSeconds: Math.max(3, ctx.options.durationSeconds / 2),
    maxRequests: ctx.options.maxRequests,
    next: () => commandRequest(nextCommand(session.accounts), token),
  });
  ctx.commandMaxThroughput = run.okThroughput;
  ctx.log(`maximum command rate probed: ${run.okThroughput.toFixed(0)} cmd/s`);
}
