import { freshSeed } from './random.js';

export interface RunOptions {
  readonly seed: number;
  readonly size: 'ci' | 'large';
  /** Seconds of workload under faults. */
  readonly durationSeconds: number;
  readonly clients: number;
  readonly accounts: number;
  /** Kills of each kind (relay, consumer: this many; command service, gateway: half, at least 1). */
  readonly kills: number;
  /** Property-based fuzz runs of the hostile phase. */
  readonly fuzzRuns: number;
  readonly skipHostile: boolean;
}

export const USAGE = `usage: node faults/dist/main.js [--seed N] [--size ci|large] [--duration SECONDS]
       [--clients N] [--accounts N] [--kills N] [--fuzz-runs N] [--skip-hostile]`;

const SIZES = {
  ci: { durationSeconds: 75, clients: 8, accounts: 12, kills: 3, fuzzRuns: 300 },
  large: { durationSeconds: 600, clients: 24, accounts: 40, kills: 10, fuzzRuns: 3000 },
} as const;

export function parseOptions(argv: readonly string[]): RunOptions {
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${USAGE}`);
    if (arg === '--skip-hostile' || arg === '--help') {
      switches.add(arg);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
    flags.set(arg, value);
    i += 1;
  }
  if (switches.has('--help')) throw new Error(USAGE);
  const sizeName = flags.get('--size') ?? 'ci';
  if (sizeName !== 'ci' && sizeName !== 'large')
    throw new Error(`--size must be ci or large\n${USAGE}`);
  const size = SIZES[sizeName];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${name} must be an integer in ${min}..${max}`);
    return value;
  };
  return {
    seed: int('--seed', freshSeed(), 1, 0x7fffffff),
    size: sizeName,
    durationSeconds: int('--duration', size.durationSeconds, 10, 24 * 3600),
    clients: int('--clients', size.clients, 1, 500),
    accounts: int('--accounts', size.accounts, 2, 10_000),
    kills: int('--kills', size.kills, 1, 1000),
    fuzzRuns: int('--fuzz-runs', size.fuzzRuns, 0, 1_000_000),
    skipHostile: switches.has('--skip-hostile'),
  };
}
