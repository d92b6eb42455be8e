import { mkdirSync, writeFileSync } from 'node:fs';
import type { InjectedFault } from './faults/driver.js';
import type { RunOptions } from './options.js';
import { repoPath } from './paths.js';
import type { Journal } from './workload/journal.js';
import { countOutcomes } from './workload/journal.js';

export interface RunFigures {
  readonly seed: number;
  readonly options: RunOptions;
  readonly seconds: number;
  readonly commands: Record<string, number>;
  /** Acknowledged commands by kind (deposit, withdrawal, transfer, reversal). */
  readonly acknowledged: Record<string, number>;
  readonly reads: { ok: number; failed: number };
  readonly retries: number;
  readonly faults: readonly InjectedFault[];
  readonly hostile: Record<string, number>;
  readonly samples: { samples: number; skipped: number };
  readonly checks: number;
  readonly violations: readonly string[];
}

export function figuresOf(
  options: RunOptions,
  seconds: number,
  journal: Journal,
  faults: readonly InjectedFault[],
  hostile: Record<string, number>,
  samples: { samples: number; skipped: number },
  checks: number,
  violations: readonly string[],
): RunFigures {
  const retries = journal.commands.reduce((sum, c) => sum + Math.max(0, c.attempts - 1), 0);
  return {
    seed: options.seed,
    options,
    seconds,
    commands: { sent: journal.commands.length, ...countOutcomes(journal) },
    acknowledged: Object.fromEntries(
      ['deposit', 'withdrawal', 'transfer', 'reversal'].map((kind) => [
        kind,
        journal.commands.filter((c) => c.kind === kind && c.outcome === 'ack').length,
      ]),
    ),
    reads: journal.reads,
    retries,
    faults,
    hostile,
    samples,
    checks,
    violations,
  };
}

export function printFigures(figures: RunFigures, print: (line: string) => void): void {
  const byKind = new Map<string, number>();
  for (const f of figures.faults) byKind.set(f.planned.kind, (byKind.get(f.planned.kind) ?? 0) + 1);
  print('==== fault run figures ====');
  print(
    `seed                 ${figures.seed}   (replay: npm run test:faults -- --seed ${figures.seed} --size ${figures.options.size} --duration ${figures.options.durationSeconds})`,
  );
  print(
    `duration             ${figures.seconds.toFixed(1)} s (workload ${figures.options.durationSeconds} s, ${figures.options.clients} clients, ${figures.options.accounts} accounts)`,
  );
  print(
    `commands             ${figures.commands['sent']} sent: ${figures.commands['ack']} acknowledged, ${figures.commands['rejected']} rejected, ${figures.commands['unknown'] ?? 0} unknown at the end; ${figures.retries} retries of unknown outcomes`,
  );
  print(
    `acknowledged         ${Object.entries(figures.acknowledged)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ')}`,
  );
  print(
    `reads                ${figures.reads.ok} answered, ${figures.reads.failed} failed (faults)`,
  );
  print(
    `faults injected      ${figures.faults.length}: ${[...byKind].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
  );
  print(
    `hostile requests     ${
      Object.entries(figures.hostile)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'skipped'
    }`,
  );
  print(
    `sampled snapshots    ${figures.samples.samples} (${figures.samples.skipped} skipped while PostgreSQL was down)`,
  );
  print(`checks run           ${figures.checks}`);
  print(`violations           ${figures.violations.length}`);
  for (const v of figures.violations.slice(0, 50)) print(`  VIOLATION: ${v}`);
  if (figures.violations.length > 50) print(`  ... and ${figures.violations.length - 50} more`);
}

/** faults/results/last-run.json: the figures docs/reliability.md quotes. */
export function saveFigures(figures: RunFigures): string {
  const folder = repoPath('faults', 'results');
  mkdirSync(folder, { recursive: true });
  const file = repoPath('faults', 'results', 'last-run.json');
  writeFileSync(
    file,
    `${JSON.stringify(figures, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  );
  return file;
}
