import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import {
  COMMON_OPTIONS,
  COMMON_OPTIONS_HELP,
  parseCommandLine,
  parseIntFlag,
} from '../cli/args.js';
import { EXIT, EXIT_CODES_HELP, UsageError, type ExitCode } from '../cli/exit-codes.js';
import { Progress } from '../cli/progress.js';
import { toJson } from '../cli/stdout.js';
import { readOpsConfig } from '../config.js';
import { OpsContext } from '../context.js';
import { isProjectionName, PROJECTION_NAMES, PROJECTIONS } from '../rebuild/projections.js';
import { runRebuild } from '../rebuild/run-rebuild.js';

export const REBUILD_HELP = `Usage: bank rebuild <accounts|transfers|all> [options]

Rebuilds read models from the event store while the live views keep answering:
builds into shadow tables (schema <live>_rebuild), catches up to the head of the event
store, then swaps them in with one transaction (readers see the old views or the new,
never an empty or half-built one). Killed or crashed, a rerun resumes where it stopped.

Projections:
  accounts     accounts, ledger_entries, holds, daily_balances (streams account-*)
  transfers    transfers, transfer_status_history (streams transfer-*)
  all          every view and stream_checkpoints

Options:
  --batch-size <n>         events per transaction (default 10000)
  --cache-rows <n>         view rows per table kept in memory between pages
                           (default 20000; memory stays bounded by it)
  --restart                drop an unfinished rebuild's shadow schema and start over
  --lock-timeout-ms <n>    how long the swap waits for the live tables (default 5000)
  --lock-attempts <n>      swap attempts before giving up (default 5)

Progress goes to stderr (a bar on a terminal, lines otherwise); --json prints a summary.

${COMMON_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'batch-size': { type: 'string' },
  'cache-rows': { type: 'string' },
  restart: { type: 'boolean' },
  'lock-timeout-ms': { type: 'string' },
  'lock-attempts': { type: 'string' },
} as const;

export async function rebuildCommand(argv: readonly string[]): Promise<ExitCode> {
  const { values, positionals } = parseCommandLine(
    () => parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }),
    1,
  );
  if (values.help) {
    process.stdout.write(`${REBUILD_HELP}\n`);
    return EXIT.ok;
  }
  const name = positionals[0];
  if (name === undefined)
    throw new UsageError(`which projection? bank rebuild <${PROJECTION_NAMES.join('|')}>`);
  if (!isProjectionName(name)) {
    throw new UsageError(
      `unknown projection ${JSON.stringify(name)}: expected ${PROJECTION_NAMES.join(', ')}`,
    );
  }
  const options = {
    batchSize: parseIntFlag('batch-size', values['batch-size'], 10_000, 1, 100_000),
    cacheRows: parseIntFlag('cache-rows', values['cache-rows'], 20_000, 1, 10_000_000),
    restart: values.restart ?? false,
    lockTimeoutMs: parseIntFlag('lock-timeout-ms', values['lock-timeout-ms'], 5000, 1, 600_000),
    lockAttempts: parseIntFlag('lock-attempts', values['lock-attempts'], 5, 1, 1000),
  };
  // The rebuild's live memory is bounded (--cache-rows) but it allocates fast, and V8's default
  // lets the heap grow to several times the live size, so peak memory would drift up with the
  // length of the run. A growth factor of 2 keeps it within a bounded multiple of the live size
  // (docs/benchmarks.md: why 2 and not 1.5 or 2.5).
  setFlagsFromString('--heap-growing-percent=100');
  const config = readOpsConfig(values);
  const context = new OpsContext(config);
  try {
    await context.requireEventStore(`rebuild ${name}`);
    const db = await context.db();
    const store = await context.events();
    const progress = new Progress(`rebuild ${name}`, values.json ? 'silent' : 'auto');
    const summary = await runRebuild(
      db,
      store,
      PROJECTIONS[name],
      { ...options, databaseUrl: config.databaseUrl },
      progress,
    );
    if (values.json) process.stdout.write(`${toJson(summary)}\n`);
    else {
      process.stdout.write(
        `rebuilt ${summary.projection} in ${summary.liveSchema}: ${summary.events} events up to position ${summary.position} ` +
          `in ${summary.seconds.toFixed(1)} s (${summary.eventsPerSecond} events/s)\n`,
      );
    }
    return EXIT.ok;
  } finally {
    await context.close();
  }
}
