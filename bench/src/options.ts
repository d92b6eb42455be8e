/** Command-line flags, parsed once. */
export const SCENARIOS = ['ceilings', 'commands', 'lag', 'queries', 'rebuild', 'startup'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  readonly mode: 'quick' | 'full';
  readonly scenarios: ReadonlySet<ScenarioName>;
  /** Seconds each load phase runs (each also stops at maxRequests). */
  readonly durationSeconds: number;
  /** Upper bound on requests of one load phase. */
  readonly maxRequests: number;
  /** Client concurrency: HTTP connections, gRPC calls in flight, PostgreSQL connections. */
  readonly concurrency: number;
  /** Accounts of the low-contention command mix. */
  readonly accounts: number;
  readonly hotAccounts: number;
  /** Events seeded for rebuild and replay. */
  readonly events: number;
  /** Kafka ceiling: messages produced and consumed at most. */
  readonly kafkaMessages: number;
}

export const USAGE = `usage: npm run bench -- [--quick | --full] [--only <scenario>[,...]] [--duration <s>] [--events <n>]
  --quick            default: short phases, 200,000 events for rebuild/replay (2-3 minutes)
  --full             30 s phases, 1,000,000 events and a 10x row for rebuild/replay
                     (10,000,000 events: about an hour)
  --only <list>      any of ${SCENARIOS.join(', ')}
  --duration <s>     seconds per load phase (default 8 quick, 30 full)
  --events <n>       events seeded for rebuild/replay`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  let mode: 'quick' | 'full' = 'quick';
  let only: ScenarioName[] | undefined;
  let duration: number | undefined;
  let events: number | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${arg ?? ''} needs a value`);
      i += 1;
      return next;
    };
    switch (arg) {
      case '--quick':
        mode = 'quick';
        break;
      case '--full':
        mode = 'full';
        break;
      case '--only':
        only = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => {
            if (!(SCENARIOS as readonly string[]).includes(s))
              throw new UsageError(`unknown scenario ${s}`);
            return s as ScenarioName;
          });
        break;
      case '--duration':
        duration = positive(arg, value());
        break;
      case '--events':
        events = positive(arg, value());
        break;
      case '--help':
      case '-h':
        throw new UsageError('');
      case undefined:
      default:
        throw new UsageError(`unknown argument ${arg ?? ''}`);
    }
  }
  const full = mode === 'full';
  return {
    mode,
    scenarios: new Set(only ?? SCENARIOS),
    durationSeconds: duration ?? (full ? 30 : 8),
    maxRequests: full ? 2_000_000 : 200_000,
    concurrency: 16,
    accounts: 10_000,
    hotAccounts: 10,
    events: Math.round(events ?? (full ? 1_000_000 : 200_000)),
    kafkaMessages: full ? 1_000_000 : 200_000,
  };
}

export class UsageError extends Error {}

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number`);
  return n;
}
