import type { KafkaLease } from './infra/kafka.js';
import type { BenchOptions } from './options.js';
import type { ResultRow, Results } from './report.js';

export type Ceiling = NonNullable<ResultRow['ceiling']>;

/** What scenarios share: options, the result table, ceilings and figures measured earlier. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly results: Results;
  readonly runId: string;
  /** HS256 secret given to the gateway; tokens are minted with it. */
  readonly jwtSecret: string;
  log(line: string): void;
  /** Starts or reuses the broker once per run. */
  kafka(): Promise<KafkaLease>;
  readonly ceilings: {
    postgresInsert?: Ceiling;
    /** The architecture's floor: Fastify → grpc-js → group-committed INSERT, no logic. */
    floor?: Ceiling;
    fastify?: Ceiling;
    kafka?: Ceiling;
  };
  /** Highest 2xx rate of the low-contention gateway mix; the lag scenario offers half of it. */
  commandMaxThroughput?: number;
}
