import { log } from './log.js';
import { parseOptions, type RunOptions } from './options.js';
import { printFigures, saveFigures } from './report.js';
import { release, runFaults } from './run.js';

/**
 * `npm run test:faults [-- --seed N --size ci|large --duration S]`: the whole stack under a
 * seeded workload and seeded faults, then the checker. Exit 0 only with zero violations.
 */
let options: RunOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
log(`fault run: seed ${options.seed}, size ${options.size} (replay with --seed ${options.seed})`);

const resources = {};
// The run stops by itself: a watchdog well past the longest phase ends it.
const watchdogMs = (options.durationSeconds + 900) * 1000;
const watchdog = setTimeout(() => {
  log(`watchdog: the run exceeded ${watchdogMs / 1000} s; stopping`);
  void release(resources).finally(() => process.exit(3));
}, watchdogMs);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything this run started`);
    void release(resources).finally(() => process.exit(130));
  });
}

let status = 1;
try {
  const figures = await runFaults(options, resources);
  printFigures(figures, (line) => log(line));
  log(`figures written to ${saveFigures(figures)}`);
  status = figures.violations.length === 0 ? 0 : 1;
} catch (error) {
  log(`fault run FAILED: ${(error as Error).stack ?? String(error)}`);
} finally {
  await release(resources);
  clearTimeout(watchdog);
}
log(`seed ${options.seed}: ${status === 0 ? 'PASSED' : 'FAILED'}`);
process.exit(status);
