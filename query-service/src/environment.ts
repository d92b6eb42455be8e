import { EnvReader, readGrpcServiceConfig, type GrpcServiceConfig } from '@bank/platform';

export interface QueryServiceConfig extends GrpcServiceConfig {
  /** Longest a query waits for the views to reach its consistency token. */
  readonly consistencyWaitMs: number;
  /** Fallback poll of the consistency position while someone waits, in case a NOTIFY is lost. */
  readonly consistencyPollMs: number;
  /**
   * EventStoreDB, when the events live there; else the PostgreSQL event store of DATABASE_URL.
   * Read only for its head position: a consistency token beyond it is refused, not waited for.
   */
  readonly eventStoreConnectionString: string | undefined;
}

/** Parses the query service's settings once at start-up; throws a ConfigError listing every problem. */
export function readQueryServiceConfig(env: EnvReader = new EnvReader()): QueryServiceConfig {
  const config: QueryServiceConfig = {
    ...readGrpcServiceConfig(env, 50052),
    consistencyWaitMs: env.int('CONSISTENCY_WAIT_MS', 3000, { min: 0, max: 60_000 }),
    consistencyPollMs: env.int('CONSISTENCY_POLL_MS', 250, { min: 10, max: 10_000 }),
    eventStoreConnectionString: env.string('EVENTSTORE_CONNECTION_STRING'),
  };
  env.done();
  return config;
}
