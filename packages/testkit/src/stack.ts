import { createHmac, randomBytes } from 'node:crypto';
import { DEFAULT_JWT_AUDIENCE, DEFAULT_JWT_ISSUER } from '@bank/platform';
import { tlsEnv, type CertificateFiles } from '@bank/platform/dev-certificates';
import { testCertificates } from './certificates.js';
import { freePorts, releasePorts } from './ports.js';
import { fileURLToPath } from 'node:url';
import { startProcess, type ProcessExit, type StartedProcess } from './process.js';

/**
 * The whole system as child processes (`node <service>/dist/main.js`), configured only through
 * the environment each service's README documents, for end-to-end, fault-injection and
 * benchmark runs. Ports are picked once at start and kept, so a crashed service restarts where
 * its peers expect it.
 */

export type StackServiceKind = 'command-service' | 'projector' | 'query-service' | 'gateway';
export type StackRole = 'customer' | 'teller' | 'admin';

export interface StackKafkaOptions {
  readonly brokers: string | readonly string[];
  readonly topic: string;
  readonly groupId: string;
  /** Partitions when the projector creates the topic (KAFKA_PARTITIONS). */
  readonly partitions?: number;
}

export interface StackOptions {
  /** PostgreSQL URL (usually a createTestSchema() url) shared by every service. */
  readonly databaseUrl: string;
  /** Kafka mode when given; the projector's embedded mode otherwise. */
  readonly kafka?: StackKafkaOptions;
  /** The gateway's HS256 secret (at least 32 bytes); mintToken() signs with it. */
  readonly jwtSecret: string;
  /** Command-service instances behind the gateway, balanced round-robin (default 1). */
  readonly commandInstances?: number;
  /** 'all' (default): one projector process; 'split': a relay and consumer processes. */
  readonly projectorRoles?: 'all' | 'split';
  /** Consumer processes in the group with `projectorRoles: 'split'` (default 1). */
  readonly consumerInstances?: number;
  /** Query-service instances (default 1). */
  readonly queryInstances?: number;
  /** Gateways (default 1), each on its own port, all in front of the same services. */
  readonly gatewayInstances?: number;
  /**
   * A service registry: every service registers there and the gateways find the command and
   * query services through it (no fixed addresses).
   */
  readonly registry?: { readonly endpoints: readonly string[]; readonly leaseTtlSeconds?: number };
  /** REDIS_URL of every gateway: shared rate limits and cache versions. */
  readonly redisUrl?: string;
  /** Extra variables per kind of service; they win over the harness's settings. */
  readonly env?: Partial<Record<StackServiceKind, Record<string, string>>>;
  /** LOG_LEVEL of every service (default 'warn'). */
  readonly logLevel?: string;
  /** DATABASE_POOL_SIZE per process (default 4: a stack holds ~20 connections, not ~60). */
  readonly poolSize?: number;
  /** Echo every service's output to stderr (debugging). */
  readonly echo?: boolean;
  /** How long each service may take to become ready (default 60 s). */
  readonly readyTimeoutMs?: number;
}

export interface StackService {
  /** 'gateway', 'query-service', 'command-service-1', 'projector' (or '-relay' / '-consumer'). */
  readonly name: string;
  readonly kind: StackServiceKind;
  /** The /readyz this service is started against. */
  readonly readyUrl: string;
  /** Prometheus text: the service's metrics port, or the gateway's own /metrics. */
  readonly metricsUrl: string;
  /** The pid of the current process (changes on restart). */
  readonly pid: number;
  /** Everything the current process printed. */
  readonly output: string;
  readonly running: boolean;
  /** Sends a signal (default SIGKILL: a crash) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<ProcessExit>;
  /** Starts it again with the same ports and environment and waits until it is ready. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<ProcessExit | undefined>;
}

export interface StackServices {
  /** The first gateway. */
  readonly gateway: StackService;
  readonly gateways: readonly StackService[];
  /** The first query-service instance. */
  readonly query: StackService;
  readonly queries: readonly StackService[];
  /** One per command-service instance, in COMMAND_SERVICE_ADDRESS order. */
  readonly commands: readonly StackService[];
  /** ['projector'] or ['projector-relay', 'projector-consumer'] (-consumer-N with several). */
  readonly projectors: readonly StackService[];
  readonly all: readonly StackService[];
}

export interface MintOptions {
  /** Lifetime in seconds (default 3600); negative mints an expired token. */
  readonly ttlSeconds?: number;
  readonly issuer?: string;
  readonly audience?: string;
}

export interface Stack {
  /** http://127.0.0.1:<port> of the first gateway. */
  readonly gatewayUrl: string;
  readonly gatewayUrls: readonly string[];
  /** 127.0.0.1:<port> of each command-service instance. */
  readonly commandAddresses: readonly string[];
  readonly queryAddress: string;
  /**
   * The certificates every service of the stack presents and trusts (mTLS on all internal
   * gRPC): a direct client uses them, as the gateway does.
   */
  readonly tls: CertificateFiles;
  readonly services: StackServices;
  /** A bearer token the gateway accepts (HS256 with the stack's secret). */
  mintToken(sub: string, roles: readonly StackRole[], options?: MintOptions): string;
  /** Stops the gateway first, then everything behind it. Safe to call twice. */
  stop(): Promise<void>;
}

/** The gateway's defaults (JWT_ISSUER / JWT_AUDIENCE), which the harness leaves unset. */
export const STACK_JWT_ISSUER = DEFAULT_JWT_ISSUER;
export const STACK_JWT_AUDIENCE = DEFAULT_JWT_AUDIENCE;

const ENTRY_POINTS: Record<StackServiceKind, string> = {
  'command-service': 'command-service/dist/main.js',
  projector: 'projector/dist/main.js',
  'query-service': 'query-service/dist/main.js',
  gateway: 'gateway/dist/main.js',
};

/** The repository root (packages/testkit/dist → ../../..), ending in a slash. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The only variables of the caller's environment a service sees: anything else (DATABASE_URL,
 * KAFKA_*, PORT, NODE_TEST_CONTEXT, ...) could point it somewhere else or change its behaviour.
 */
const PASSED_THROUGH =
  /^(PATH|HOME|USER|LANG|LC_[A-Z]+|TZ|TMPDIR|TEMP|TMP|NODE_V8_COVERAGE|NODE_OPTIONS)$/;

const UNLIMITED = String(1_000_000_000);

export async function startStack(options: StackOptions): Promise<Stack> {
  if (Buffer.byteLength(options.jwtSecret) < 32) {
    throw new Error('startStack: jwtSecret must be at least 32 bytes');
  }
  const commandInstances = options.commandInstances ?? 1;
  const queryInstances = options.queryInstances ?? 1;
  const gatewayInstances = options.gatewayInstances ?? 1;
  const consumers = options.consumerInstances ?? 1;
  const projectorRoles =
    options.projectorRoles === 'split'
      ? ['relay', ...Array.from({ length: consumers }, () => 'consumer')]
      : ['all'];
  // gRPC + metrics per command and query instance, metrics per projector, HTTP per gateway.
  const reserved = await freePorts(
    2 * commandInstances + projectorRoles.length + 2 * queryInstances + gatewayInstances,
  );
  const ports = [...reserved];
  const takePort = (): number => {
    const port = ports.shift();
    if (port === undefined) throw new Error('startStack: ran out of ports');
    return port;
  };

  const base: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) {
    if (!PASSED_THROUGH.test(key)) base[key] = undefined;
  }
  Object.assign(base, {
    DATABASE_URL: options.databaseUrl,
    DATABASE_POOL_SIZE: String(options.poolSize ?? 4),
    LOG_LEVEL: options.logLevel ?? 'warn',
    ...(options.registry
      ? {
          REGISTRY_ENDPOINTS: options.registry.endpoints.join(','),
          REGISTRY_LEASE_TTL_SECONDS: String(options.registry.leaseTtlSeconds ?? 5),
        }
      : {}),
  });
  const envFor = (
    kind: StackServiceKind,
    own: Record<string, string>,
  ): Record<string, string | undefined> => ({ ...base, ...own, ...options.env?.[kind] });

  const define = (
    name: string,
    kind: StackServiceKind,
    env: Record<string, string | undefined>,
    readyUrl: string,
    metricsUrl: string,
  ): ManagedService =>
    new ManagedService(name, kind, env, readyUrl, metricsUrl, {
      echo: options.echo ?? false,
      timeoutMs: options.readyTimeoutMs ?? 60_000,
    });

  // The gateway verifies the end user's token, the services verify it again when forwarded;
  // every internal gRPC connection is mTLS on the process's test certificates.
  const tls = await testCertificates();
  const tokenEnv = { JWT_SECRET: options.jwtSecret, ...tlsEnv(tls) };
  const commands = Array.from({ length: commandInstances }, (_, index) => {
    const grpcPort = takePort();
    const metricsPort = takePort();
    return {
      address: `127.0.0.1:${grpcPort}`,
      service: define(
        commandInstances === 1 ? 'command-service' : `command-service-${index + 1}`,
        'command-service',
        envFor('command-service', {
          ...tokenEnv,
          GRPC_PORT: String(grpcPort),
          METRICS_PORT: String(metricsPort),
        }),
        `http://127.0.0.1:${metricsPort}/readyz`,
        `http://127.0.0.1:${metricsPort}/metrics`,
      ),
    };
  });

  const kafka = options.kafka;
  const kafkaEnv: Record<string, string> = kafka
    ? {
        KAFKA_BROKERS: typeof kafka.brokers === 'string' ? kafka.brokers : kafka.brokers.join(','),
        KAFKA_TOPIC: kafka.topic,
        KAFKA_GROUP_ID: kafka.groupId,
        KAFKA_PARTITIONS: String(kafka.partitions ?? 3),
        // The broker's minimum: a crashed consumer's partitions move on within seconds.
        KAFKA_SESSION_TIMEOUT_MS: '6000',
      }
    : {};
  let consumerNumber = 0;
  const projectors = projectorRoles.map((role) => {
    const metricsPort = takePort();
    const name =
      role === 'all'
        ? 'projector'
        : role === 'consumer' && consumers > 1
          ? `projector-consumer-${++consumerNumber}`
          : `projector-${role}`;
    return define(
      name,
      'projector',
      envFor('projector', {
        ...kafkaEnv,
        ...(kafka ? { PROJECTOR_ROLE: role } : {}),
        METRICS_PORT: String(metricsPort),
      }),
      `http://127.0.0.1:${metricsPort}/readyz`,
      `http://127.0.0.1:${metricsPort}/metrics`,
    );
  });

  const queries = Array.from({ length: queryInstances }, (_, index) => {
    const grpcPort = takePort();
    const metricsPort = takePort();
    return {
      address: `127.0.0.1:${grpcPort}`,
      service: define(
        queryInstances === 1 ? 'query-service' : `query-service-${index + 1}`,
        'query-service',
        envFor('query-service', {
          ...tokenEnv,
          GRPC_PORT: String(grpcPort),
          METRICS_PORT: String(metricsPort),
        }),
        `http://127.0.0.1:${metricsPort}/readyz`,
        `http://127.0.0.1:${metricsPort}/metrics`,
      ),
    };
  });
  const queryAddress = queries.map((query) => query.address).join(',');

  const redisPrefix = `bank-test:${randomBytes(6).toString('hex')}:`;
  const gateways = Array.from({ length: gatewayInstances }, (_, index) => {
    const port = takePort();
    const url = `http://127.0.0.1:${port}`;
    return {
      url,
      service: define(
        gatewayInstances === 1 ? 'gateway' : `gateway-${index + 1}`,
        'gateway',
        envFor('gateway', {
          HOST: '127.0.0.1',
          PORT: String(port),
          // With a registry the gateway finds its upstreams there.
          ...(options.registry
            ? {}
            : {
                COMMAND_SERVICE_ADDRESS: commands.map((command) => command.address).join(','),
                QUERY_SERVICE_ADDRESS: queryAddress,
              }),
          // One stack's keys apart from every other stack's on the same Redis.
          ...(options.redisUrl
            ? { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: redisPrefix }
            : {}),
          ...tokenEnv,
          // Tests and benchmarks drive many requests from one principal and one IP.
          RATE_LIMIT_PER_MINUTE: UNLIMITED,
          RATE_LIMIT_IP_PER_MINUTE: UNLIMITED,
        }),
        `${url}/readyz`,
        `${url}/metrics`,
      ),
    };
  });

  const backends = [
    ...commands.map((command) => command.service),
    ...projectors,
    ...queries.map((query) => query.service),
  ];
  const front = gateways.map((gateway) => gateway.service);
  const all = [...backends, ...front];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(front.map((service) => service.stop()));
      await Promise.all(backends.map((service) => service.stop()));
      releasePorts(reserved);
    })());

  try {
    // Every backend migrates the same schema at start: the migrations are safe concurrently.
    await Promise.all(backends.map((service) => service.restart()));
    await Promise.all(front.map((service) => service.restart()));
  } catch (error) {
    await stop();
    throw error;
  }

  const [gateway, query] = [front[0], queries[0]?.service];
  if (!gateway || !query) throw new Error('startStack: needs a gateway and a query service');
  return {
    gatewayUrl: gateways[0]?.url ?? '',
    gatewayUrls: gateways.map((g) => g.url),
    commandAddresses: commands.map((command) => command.address),
    queryAddress,
    tls,
    services: {
      gateway,
      gateways: front,
      query,
      queries: queries.map((q) => q.service),
      commands: commands.map((command) => command.service),
      projectors,
      all,
    },
    mintToken: (sub, roles, mint = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return signJwt(options.jwtSecret, {
        sub,
        roles: [...roles],
        iss: mint.issuer ?? STACK_JWT_ISSUER,
        aud: mint.audience ?? STACK_JWT_AUDIENCE,
        iat: now,
        exp: now + (mint.ttlSeconds ?? 3600),
      });
    },
    stop,
  };
}

/** One service of the stack: its fixed environment, and the process currently running it. */
class ManagedService implements StackService {
  private current: StartedProcess | undefined;
  private exited = false;
  /** A start still waiting for readiness: stop() must wait for it, or the child is orphaned. */
  private starting: Promise<unknown> | undefined;

  constructor(
    readonly name: string,
    readonly kind: StackServiceKind,
    private readonly env: Record<string, string | undefined>,
    readonly readyUrl: string,
    readonly metricsUrl: string,
    private readonly options: { readonly echo: boolean; readonly timeoutMs: number },
  ) {}

  get pid(): number {
    return this.current?.pid ?? -1;
  }

  get output(): string {
    return this.current?.output ?? '';
  }

  get running(): boolean {
    return this.current !== undefined && !this.exited;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    if (!this.current) throw new Error(`${this.name} was never started`);
    return this.current.kill(signal);
  }

  async stop(graceMs = 15_000): Promise<ProcessExit | undefined> {
    await this.starting?.catch(() => undefined);
    return this.current?.stop(graceMs);
  }

  async restart(): Promise<void> {
    if (this.running || this.starting) throw new Error(`${this.name} is running: kill it first`);
    const readyUrl = this.readyUrl;
    const starting = startProcess(
      process.execPath,
      ['--enable-source-maps', REPO_ROOT + ENTRY_POINTS[this.kind]],
      this.env,
      async () => {
        const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        return response.ok;
      },
      { echo: this.options.echo, timeoutMs: this.options.timeoutMs, cwd: REPO_ROOT },
    );
    this.starting = starting;
    let started: StartedProcess;
    try {
      started = await starting;
    } catch (error) {
      throw new Error(`${this.name}: ${(error as Error).message}`, { cause: error });
    } finally {
      this.starting = undefined;
    }
    this.current = started;
    this.exited = false;
    void started.exited.then(() => {
      if (this.current === started) this.exited = true;
    });
  }
}

/**
 * A compact JWS over JSON claims: HS256 with `secret`, or an unsigned `alg: none` token when
 * `header.alg` is 'none' (for tests of refusals). Tests craft wrong tokens with it.
 */
export function signJwt(
  secret: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const encode = (value: unknown): string =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  if (header['alg'] === 'none') return `${signingInput}.`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
