import { randomBytes } from 'node:crypto';
import { cleanupAll, onCleanup } from './cleanup.js';
import type { BenchContext } from './context.js';
import { databaseUrl } from './infra/database.js';
import { acquireBroker, type KafkaLease } from './infra/kafka.js';
import { describeMachine, describeMachineLine, roundedLoad } from './machine.js';
import { parseOptions, USAGE, UsageError, type BenchOptions } from './options.js';
import { repoPath } from './paths.js';
import {
  formatMarkdown,
  formatTable,
  inScenarioOrder,
  Results,
  writeJson,
  writeText,
} from './report.js';
import { runScenarios } from './run-scenarios.js';

const RESULTS_FILE = repoPath('bench/results/latest.json');
const MARKDOWN_FILE = repoPath('bench/results/latest.md');

function log(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function parse(): BenchOptions {
  try {
    return parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`${error.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    process.exit(error.message ? 2 : 0);
  }
}

async function main(): Promise<void> {
  const options = parse();
  const startedAt = new Date();
  const began = performance.now();
  const machine = await describeMachine(databaseUrl());
  log(`machine: ${describeMachineLine(machine)}`);
  log(
    `mode ${options.mode}: ${options.durationSeconds} s per load phase, concurrency ${options.concurrency}, ` +
      `scenarios ${[...options.scenarios].join(', ')}`,
  );

  let lease: Promise<KafkaLease> | undefined;
  const ctx: BenchContext = {
    options,
    results: new Results(),
    runId: `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`,
    jwtSecret: randomBytes(32).toString('hex'),
    log,
    kafka: () => {
      if (!lease) {
        lease = acquireBroker((line) => log(line));
        onCleanup('kafka lease', async () => {
          const held = await lease?.catch(() => undefined);
          await held?.release();
        });
      }
      return lease;
    },
    ceilings: {},
  };

  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    log('interrupted: stopping the stack and dropping the bench schemas');
    void cleanupAll(log).then(() => process.exit(130));
  });

  try {
    await runScenarios(ctx);
  } finally {
    if (!interrupted) await cleanupAll(log);
  }

  const wallSeconds = (performance.now() - began) / 1000;
  const loadAverageAtEnd = roundedLoad();
  const rows = inScenarioOrder(ctx.results.rows);
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  process.stdout.write(
    `machine: ${describeMachineLine(machine)}; load average at end ${loadAverageAtEnd.join(' / ')}\n` +
      `wall time ${wallSeconds.toFixed(0)} s; JSON: ${RESULTS_FILE}; Markdown: ${MARKDOWN_FILE}\n`,
  );
  writeText(
    MARKDOWN_FILE,
    `Measured ${startedAt.toISOString()} (${options.mode}, ${options.durationSeconds} s phases) on ` +
      `${describeMachineLine(machine)}; load average at end ${loadAverageAtEnd.join(' / ')}.\n\n` +
      `${formatMarkdown(rows)}\n`,
  );
  writeJson(RESULTS_FILE, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds,
    mode: options.mode,
    options: { ...options, scenarios: [...options.scenarios] },
    machine,
    loadAverageAtEnd,
    rows,
  });
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await cleanupAll(log);
    process.exit(1);
  },
);
