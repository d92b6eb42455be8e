import {
  EnvReader,
  readCommonConfig,
  readGrpcTlsConfig,
  readTokenConfig,
  type CommonConfig,
  type GrpcTlsConfig,
  type TokenConfig,
} from '@bank/platform';

/** TokenConfig: how the caller's forwarded bearer token is verified on every call. */
export interface QueryServiceConfig extends CommonConfig, TokenConfig {
  /** GRPC_TLS_* / GRPC_INSECURE: mTLS on the gRPC listener (a client certificate required). */
  readonly grpcTls: GrpcTlsConfig;
  readonly grpcHost: string;
  readonly grpcPort: number;
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
    ...readCommonConfig(env),
    ...readTokenConfig(env),
    grpcTls: readGrpcTlsConfig(env),
    grpcHost: env.string('GRPC_HOST', '127.0.0.1'),
    grpcPort: env.int('GRPC_PORT', 50052, { min: 0, max: 65535 }),
    consistencyWaitMs: env.int('CONSISTENCY_WAIT_MS', 3000, { min: 0, max: 60_000 }),
    consistencyPollMs: env.int('CONSISTENCY_POLL_MS', 250, { min: 10, max: 10_000 }),
    eventStoreConnectionString: env.string('EVENTSTORE_CONNECTION_STRING'),
  };
  env.done();
  return config;
}
