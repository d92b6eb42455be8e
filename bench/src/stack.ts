import { existsSync } from 'node:fs';
import { baseEnv, spawnChild, type Child } from './infra/child.js';
import { freePort } from '@bank/testkit';
import { repoPath } from './paths.js';

/**
 * The stack runs as child processes from each service's dist/main.js, configured only through
 * the environment the README documents. That is how it runs in production (one process per
 * service, each on its own event loop, talking gRPC/HTTP over loopback), and it keeps the load
 * generator in this process from sharing an event loop with the gateway it measures.
 */
export const SERVICE_ENTRIES = {
  'command-service': 'command-service/dist/main.js',
  projector: 'projector/dist/main.js',
  'query-service': 'query-service/dist/main.js',
  gateway: 'gateway/dist/main.js',
} as const;
export type ServiceName = keyof typeof SERVICE_ENTRIES;

/** Services whose entry point is not built yet. */
export function missingServices(
  names: readonly ServiceName[] = Object.keys(SERVICE_ENTRIES) as ServiceName[],
): string[] {
  return names
    .filter((name) => !existsSync(repoPath(SERVICE_ENTRIES[name])))
    .map((n) => SERVICE_ENTRIES[n]);
}

export interface StackOptions {
  /** For messages: 'kafka' or 'embedded'. */
  readonly label: string;
  /** PostgreSQL URL whose search_path is this stack's own schema. */
  readonly databaseUrl: string;
  /** Kafka mode when given; embedded projector otherwise. */
  readonly kafka?:
    { readonly brokers: string; readonly topic: string; readonly groupId: string } | undefined;
  readonly jwtSecret: string;
  /** Connections per service process (DATABASE_POOL_SIZE). */
  readonly poolSize: number;
  readonly log: (line: string) => void;
}

export interface RunningStack {
  readonly gatewayUrl: string;
  readonly commandAddress: string;
  readonly queryAddress: string;
  readonly pids: Readonly<Record<ServiceName, number>>;
  /** Seconds from the first spawn until the gateway answered /readyz. */
  readonly startSeconds: number;
  /** Services that have exited although nobody stopped them, with their last output. */
  casualties(): string[];
  stop(): Promise<void>;
}

/** Variables of the caller's shell that would point a service somewhere else. */
const INHERITED_SETTINGS = [
  'DATABASE_URL',
  'DATABASE_POOL_SIZE',
  'EVENTSTORE_CONNECTION_STRING',
  'KAFKA_BROKERS',
  'KAFKA_TOPIC',
  'KAFKA_GROUP_ID',
  'KAFKA_PARTITIONS',
  'PROJECTOR_ROLE',
  'GRPC_HOST',
  'GRPC_PORT',
  'METRICS_PORT',
  'PORT',
  'HOST',
  'COMMAND_SERVICE_ADDRESS',
  'QUERY_SERVICE_ADDRESS',
  'JWT_SECRET',
  'JWT_PUBLIC_KEY_FILE',
  'JWT_JWKS_FILE',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'RATE_LIMIT_PER_MINUTE',
  'RATE_LIMIT_IP_PER_MINUTE',
  'LOG_LEVEL',
  'NODE_ENV',
];

/** Where the bench drives load from one principal, the gateway's rate limits would cap it. */
const UNLIMITED = String(1_000_000_000);

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const missing = missingServices();
  if (missing.length > 0) throw new StackUnavailableError(`not built yet: ${missing.join(', ')}`);
  const began = performance.now();
  const [commandPort, queryPort, gatewayPort, ...metricsPorts] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const common = {
    ...baseEnv(INHERITED_SETTINGS),
    DATABASE_URL: options.databaseUrl,
    DATABASE_POOL_SIZE: String(options.poolSize),
    // Request logging off: the bench measures the service, not pino writing to a pipe.
    LOG_LEVEL: 'warn',
  };
  const children: Child[] = [];
  const spawnService = (name: ServiceName, env: Record<string, string>): Child => {
    const child = spawnChild(name, process.execPath, [repoPath(SERVICE_ENTRIES[name])], {
      env: { ...common, ...env },
    });
    children.push(child);
    return child;
  };
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    // The gateway first, so nothing new reaches the services behind it.
    for (const child of [...children].reverse()) await child.stop(15_000);
  };
  try {
    // The query service first: it and the projector both run the read-model migrations at
    // start-up, and started together one of them can die on knex's migration lock
    // ("Migration table is already locked") instead of waiting for it.
    const query = spawnService('query-service', {
      GRPC_PORT: String(queryPort),
      METRICS_PORT: String(metricsPorts[2]),
    });
    await waitReady(query, `http://127.0.0.1:${metricsPorts[2]}/readyz`);
    const command = spawnService('command-service', {
      GRPC_PORT: String(commandPort),
      METRICS_PORT: String(metricsPorts[0]),
    });
    const projector = spawnService('projector', {
      METRICS_PORT: String(metricsPorts[1]),
      ...(options.kafka
        ? {
            KAFKA_BROKERS: options.kafka.brokers,
            KAFKA_TOPIC: options.kafka.topic,
            KAFKA_GROUP_ID: options.kafka.groupId,
          }
        : {}),
    });
    await Promise.all([
      waitReady(command, `http://127.0.0.1:${metricsPorts[0]}/readyz`),
      waitReady(projector, `http://127.0.0.1:${metricsPorts[1]}/readyz`),
    ]);
    const gateway = spawnService('gateway', {
      PORT: String(gatewayPort),
      HOST: '127.0.0.1',
      COMMAND_SERVICE_ADDRESS: `127.0.0.1:${commandPort}`,
      QUERY_SERVICE_ADDRESS: `127.0.0.1:${queryPort}`,
      JWT_SECRET: options.jwtSecret,
      RATE_LIMIT_PER_MINUTE: UNLIMITED,
      RATE_LIMIT_IP_PER_MINUTE: UNLIMITED,
    });
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    await waitReady(gateway, `${gatewayUrl}/readyz`);
    const startSeconds = (performance.now() - began) / 1000;
    options.log(
      `stack (${options.label}) ready in ${startSeconds.toFixed(1)} s: gateway ${gatewayUrl}`,
    );
    return {
      gatewayUrl,
      commandAddress: `127.0.0.1:${commandPort}`,
      queryAddress: `127.0.0.1:${queryPort}`,
      pids: {
        'command-service': command.pid,
        projector: projector.pid,
        'query-service': query.pid,
        gateway: gateway.pid,
      },
      startSeconds,
      casualties: () =>
        stopping
          ? []
          : children
              .filter((c) => c.hasExited())
              .map(
                (c) =>
                  `${c.name} exited: ${c.tail().trim().split('\n').slice(-3).join(' | ').slice(-600)}`,
              ),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Polls a readiness URL; fails at once, with the output, if the process exits first. */
export async function waitReady(child: Child, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.hasExited()) {
      throw new Error(
        `${child.name} exited before it was ready. Its last output:\n${child.tail().slice(-3000)}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${child.name} not ready at ${url} within ${timeoutMs / 1000} s. Its last output:\n${child.tail().slice(-3000)}`,
  );
}

/** The stack cannot run (a service is not built): the scenario reports "not run". */
export class StackUnavailableError extends Error {}
