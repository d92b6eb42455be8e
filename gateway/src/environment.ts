export {
  DEFAULT_JWT_MAX_LIFETIME_SECONDS,
  DEVELOPMENT_JWT_SECRET,
  MIN_SECRET_BYTES,
  type JwtKeyConfig,
} from '@bank/platform';
import {
  ConfigError,
  EnvReader,
  readRegistryConfig,
  readTelemetryConfig,
  readGrpcTlsConfig,
  readTokenConfig,
  type LogLevel,
  type RegistryConfig,
  type TelemetryConfig,
  type TokenConfig,
  type GrpcTlsConfig,
} from '@bank/platform';

export interface GatewayConfig extends TelemetryConfig, TokenConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  /** host:port, a comma list of IPv4 host:port pairs, or a DNS name: balanced round-robin. */
  readonly commandServiceAddress: string;
  readonly queryServiceAddress: string;
  /** GRPC_TLS_* / GRPC_INSECURE: the gateway's client certificate and the CA it trusts. */
  readonly grpcTls: GrpcTlsConfig;
  /**
   * The service registry: when set, the upstreams are found there (only ready instances, the
   * set followed live) and the two addresses above are not used.
   */
  readonly registry: RegistryConfig | undefined;
  /**
   * REDIS_URL: state shared by every gateway (rate-limit counters, cache versions). Unset: each
   * gateway counts and caches on its own.
   */
  readonly redisUrl: string | undefined;
  /**
   * REDIS_KEY_PREFIX (default `bank:gateway:`): the start of every key the gateways write, so
   * that several deployments can share one Redis.
   */
  readonly redisKeyPrefix: string;
  readonly rateLimitPerMinute: number;
  readonly rateLimitIpPerMinute: number;
  readonly cacheTtlMs: number;
  readonly cacheMaxEntries: number;
  readonly upstreamTimeoutMs: number;
  /** Further attempts after an UNAVAILABLE answer. */
  readonly upstreamRetries: number;
  /**
   * COMMAND_STREAMS (default 2): long-lived streams to the command service on which concurrent
   * commands travel together; 0: each command is a unary call of its own.
   */
  readonly commandStreams: number;
  readonly bodyLimitBytes: number;
  /** Whole request (headers and body received, answer sent) must finish within this. */
  readonly requestTimeoutMs: number;
  /** An idle connection is closed after this. */
  readonly connectionTimeoutMs: number;
  /** Take the client IP from X-Forwarded-For (behind a trusted load balancer). */
  readonly trustProxy: boolean;
}

type Env = Record<string, string | undefined>;

/** Parses every gateway setting once; throws a ConfigError listing every problem. */
export function readGatewayConfig(env: Env = process.env): GatewayConfig {
  const reader = new EnvReader(env);
  const problems: string[] = [];
  const config: GatewayConfig = {
    port: reader.int('PORT', 8080, { min: 0, max: 65535 }),
    host: reader.string('HOST', '127.0.0.1'),
    ...readTelemetryConfig(reader),
    commandServiceAddress: reader.string('COMMAND_SERVICE_ADDRESS', '127.0.0.1:50051'),
    queryServiceAddress: reader.string('QUERY_SERVICE_ADDRESS', '127.0.0.1:50052'),
    grpcTls: readGrpcTlsConfig(reader),
    registry: readRegistryConfig(reader),
    redisUrl: reader.url('REDIS_URL', ['redis', 'rediss']),
    redisKeyPrefix: reader.string('REDIS_KEY_PREFIX', 'bank:gateway:'),
    ...readTokenConfig(reader),
    rateLimitPerMinute: reader.int('RATE_LIMIT_PER_MINUTE', 600, { min: 1 }),
    rateLimitIpPerMinute: reader.int('RATE_LIMIT_IP_PER_MINUTE', 1200, { min: 1 }),
    cacheTtlMs: reader.int('CACHE_TTL_MS', 1000, { min: 0, max: 60_000 }),
    cacheMaxEntries: reader.int('CACHE_MAX_ENTRIES', 10_000, { min: 1 }),
    upstreamTimeoutMs: reader.int('UPSTREAM_TIMEOUT_MS', 5000, { min: 10, max: 120_000 }),
    upstreamRetries: reader.int('UPSTREAM_RETRIES', 2, { min: 0, max: 5 }),
    commandStreams: reader.int('COMMAND_STREAMS', 2, { min: 0, max: 64 }),
    bodyLimitBytes: reader.int('BODY_LIMIT_BYTES', 16 * 1024, { min: 256, max: 10 * 1024 * 1024 }),
    requestTimeoutMs: reader.int('REQUEST_TIMEOUT_MS', 30_000, { min: 1000 }),
    connectionTimeoutMs: reader.int('CONNECTION_TIMEOUT_MS', 60_000, { min: 1000 }),
    trustProxy: reader.bool('TRUST_PROXY', false),
  };
  if (config.registry) {
    for (const name of ['COMMAND_SERVICE_ADDRESS', 'QUERY_SERVICE_ADDRESS'])
      if (env[name])
        problems.push(
          `${name} and REGISTRY_ENDPOINTS are both set: upstreams come from the registry, unset ${name}`,
        );
  }
  for (const [name, value] of [
    ['COMMAND_SERVICE_ADDRESS', config.commandServiceAddress],
    ['QUERY_SERVICE_ADDRESS', config.queryServiceAddress],
  ] as const) {
    const problem = checkAddressList(value);
    if (problem) problems.push(`${name}: ${problem}`);
  }
  try {
    reader.done();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError([...error.problems, ...problems]);
    throw error;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Mirrors the rules of platform's upstreamTarget, so a bad address fails at start-up. */
function checkAddressList(value: string): string | undefined {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) return 'empty';
  if (list.length > 1 && !list.every((a) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(a))) {
    return 'a list must be IPv4 host:port pairs; use a DNS name for anything else';
  }
  return undefined;
}
