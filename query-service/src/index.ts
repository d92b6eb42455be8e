import { createEventStore } from '@bank/event-store';
import type { Knex } from 'knex';
import { migrateReadModels } from '@bank/read-models';
import {
  createCallerAuthenticator,
  grpcServerCredentials,
  createKnex,
  createLogger,
  createMetricsRegistry,
  RUNTIME,
  serviceVersion,
  startGrpcServer,
  joinRegistry,
  startOpsServer,
  toBigInt,
  type Logger,
} from '@bank/platform';
import { createConsistencyGate } from './consistency/consistency-gate.js';
import { ProjectionPositionWatcher } from './consistency/position-watcher.js';
import { consistentPositionQuery } from './consistency/projection-queries.js';
import { StoreHead } from './consistency/store-head.js';
import type { QueryServiceConfig } from './environment.js';
import { createQueryMetrics } from './metrics.js';
import { QUERY_SERVICE_NAME, registerQueryService } from './handlers.js';

export type { QueryServiceConfig } from './environment.js';
export { readQueryServiceConfig } from './environment.js';
export { QUERY_SERVICE_NAME } from './handlers.js';

export const SERVICE_VERSION = serviceVersion(import.meta.url);

export interface RunningQueryService {
  /** The bound gRPC port (useful with GRPC_PORT=0). */
  readonly port: number;
  /** The bound /metrics, /healthz, /readyz port. */
  readonly metricsPort: number;
  /** Graceful: stops taking calls, answers waiting ones, drains, then closes the pool. */
  stop(): Promise<void>;
}

/** Starts the query service in this process: migrations, the consistency watcher, gRPC and ops servers. */
export async function startQueryService(
  config: QueryServiceConfig,
  options: { logger?: Logger; shutdownGraceMs?: number } = {},
): Promise<RunningQueryService> {
  const logger =
    options.logger ??
    createLogger({ service: 'query-service', level: config.logLevel, version: SERVICE_VERSION });
  const knex = createKnex({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize });
  const cleanup: (() => Promise<void>)[] = [() => knex.destroy()];
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  try {
    await migrateReadModels(knex);

    const registry = createMetricsRegistry('query-service');
    const metrics = createQueryMetrics(registry);
    const watcher = new ProjectionPositionWatcher({
      databaseUrl: config.databaseUrl,
      readPosition: () => readConsistentPosition(knex),
      pollMs: config.consistencyPollMs,
      logger,
    });
    await watcher.start();
    cleanup.push(() => watcher.stop());

    // Only read, for its head: the schema is the command side's.
    const store = await createEventStore({
      eventStoreConnectionString: config.eventStoreConnectionString,
      databaseUrl: config.databaseUrl,
      migrate: false,
    });
    cleanup.push(() => store.close());

    const consistency = createConsistencyGate({
      watcher,
      head: new StoreHead(() => store.headPosition()),
      waitMs: config.consistencyWaitMs,
      waitSeconds: metrics.consistencyWait,
    });
    const grpcServer = await startGrpcServer({
      host: config.grpcHost,
      port: config.grpcPort,
      credentials: await grpcServerCredentials(config.grpcTls, logger),
      healthServices: [QUERY_SERVICE_NAME],
      register: (server) =>
        registerQueryService(
          server,
          { knex, consistency },
          {
            logger,
            observe: metrics.observeQuery,
            authenticate: createCallerAuthenticator(config),
          },
        ),
    });
    cleanup.push(() => grpcServer.shutdown(0));

    const ops = await startOpsServer({
      host: config.metricsHost,
      port: config.metricsPort,
      registry,
      logger,
      readiness: { ready: () => databaseAnswers(knex) },
    });
    cleanup.push(() => ops.close());
    const membership = await joinRegistry({
      config,
      service: 'query-service',
      version: SERVICE_VERSION,
      grpc: { host: config.grpcHost, port: grpcServer.port },
      metrics: { host: config.metricsHost, port: ops.port },
      readiness: () => databaseAnswers(knex),
      logger,
    });

    logger.info(
      {
        grpcPort: grpcServer.port,
        metricsPort: ops.port,
        consistencyWaitMs: config.consistencyWaitMs,
        ...RUNTIME,
      },
      'query service started',
    );
    let stopping: Promise<void> | undefined;
    return {
      port: grpcServer.port,
      metricsPort: ops.port,
      stop: () =>
        (stopping ??= (async () => {
          // Out of the registry first, so no gateway picks this instance while it drains.
          await membership.leave();
          const draining = grpcServer.shutdown(options.shutdownGraceMs ?? 10_000);
          // Calls still waiting for a consistency token answer UNAVAILABLE with a retry hint at
          // once, rather than hold the shutdown for up to CONSISTENCY_WAIT_MS.
          await watcher.stop();
          await draining;
          await ops.close();
          await store.close();
          await knex.destroy();
          logger.info('query service stopped');
        })()),
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}

async function readConsistentPosition(knex: Knex): Promise<bigint> {
  const rows = (await consistentPositionQuery(knex)) as { position: string }[];
  return toBigInt(rows[0]?.position ?? '0');
}

async function databaseAnswers(knex: Knex): Promise<boolean> {
  await knex.raw('select 1');
  return true;
}
