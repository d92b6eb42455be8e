import { existsSync } from 'node:fs';
import type { GrpcTlsConfig } from '@bank/platform';
import { startStack as startTestStack, type Stack } from '@bank/testkit';
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
  /** The Prometheus endpoints of the command service's instances. */
  readonly commandMetricsUrls: readonly string[];
  /** Seconds from the first spawn until the gateway answered /readyz. */
  readonly startSeconds: number;
  /** A bearer token the gateway and the services accept (the stack's secret). */
  readonly mintToken: Stack['mintToken'];
  /** mTLS settings of a direct gRPC client of the stack's services. */
  readonly grpcTls: GrpcTlsConfig;
  /** Services that have exited although nobody stopped them, with their last output. */
  casualties(): string[];
  stop(): Promise<void>;
}

/**
 * The tests' whole-stack harness (testkit), sized for load: the pool per service and the log
 * level are the bench's; rate limits are lifted by the harness, since one principal drives it.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const missing = missingServices();
  if (missing.length > 0) throw new StackUnavailableError(`not built yet: ${missing.join(', ')}`);
  const began = performance.now();
  const stack = await startTestStack({
    databaseUrl: options.databaseUrl,
    jwtSecret: options.jwtSecret,
    poolSize: options.poolSize,
    // Request logging off: the bench measures the service, not pino writing to a pipe.
    logLevel: 'warn',
    ...(options.kafka ? { kafka: options.kafka } : {}),
  });
  const startSeconds = (performance.now() - began) / 1000;
  options.log(
    `stack (${options.label}) ready in ${startSeconds.toFixed(1)} s: gateway ${stack.gatewayUrl}`,
  );
  let stopping = false;
  const commandAddress = stack.commandAddresses[0];
  if (commandAddress === undefined) throw new Error('the stack has no command service');
  return {
    gatewayUrl: stack.gatewayUrl,
    commandAddress,
    queryAddress: stack.queryAddress,
    commandMetricsUrls: stack.services.commands.map((service) => service.metricsUrl),
    startSeconds,
    mintToken: (sub, roles, mint) => stack.mintToken(sub, roles, mint),
    grpcTls: { mode: 'mtls', ...stack.tls, reloadIntervalMs: 60_000 },
    casualties: () =>
      stopping
        ? []
        : stack.services.all
            .filter((service) => !service.running)
            .map(
              (service) =>
                `${service.name} exited: ${service.output.trim().split('\n').slice(-3).join(' | ').slice(-600)}`,
            ),
    stop: () => {
      stopping = true;
      return stack.stop();
    },
  };
}

/** The stack cannot run (a service is not built): the scenario reports "not run". */
export class StackUnavailableError extends Error {}
