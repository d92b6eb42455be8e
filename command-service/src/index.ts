import { withoutMultiStreamAppend } from '@bank/event-store';
import { commandsPackage } from '@bank/proto';
import {
  CallStreamServer,
  createCallerAuthenticator,
  grpcServerCredentials,
  createLogger,
  createMetricsRegistry,
  joinRegistry,
  RUNTIME,
  serviceVersion,
  startGrpcServer,
  startOpsServer,
  type Logger,
} from '@bank/platform';
import type { Registry } from 'prom-client';
import type { CommandServiceConfig } from './environment.js';
import { systemClock, type Clock } from './infrastructure/command-context.js';
import { CommandHandler } from './infrastructure/command-handler.js';
import { openEventStore } from './infrastructure/event-store.js';
import { purgeOutcomesPeriodically } from './infrastructure/first-outcomes.js';
import { createCommandMetrics } from './metrics.js';
import { commandServiceHandlers } from './handlers.js';
import { TransferProcessManager, type TransferHooks } from './transfers/process-manager.js';
import { HoldExpiry } from './holds/expiry.js';
import { TransferRecovery } from './transfers/recovery.js';

export { readConfig, type CommandServiceConfig } from './environment.js';
export type { Clock } from './infrastructure/command-context.js';
export type { TransferHooks } from './transfers/process-manager.js';

export const SERVICE_NAME = 'command-service';
export const GRPC_SERVICE_NAME = 'bank.v1.CommandService';
export const SERVICE_VERSION = serviceVersion(import.meta.url);

export interface StartOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Test seams inside the transfer process manager. */
  readonly transferHooks?: TransferHooks;
}

export interface RunningCommandService {
  readonly port: number;
  readonly metricsPort: number;
  readonly registry: Registry;
  /** Stops taking calls, lets in-flight calls finish (up to the grace period), then releases everything. */
  stop(): Promise<void>;
}

/** Starts the command service in this process: gRPC server, ops HTTP server, transfer recovery, hold expiry. */
export async function startCommandService(
  config: CommandServiceConfig,
  options: StartOptions = {},
): Promise<RunningCommandService> {
  const logger =
    options.logger ??
    createLogger({ service: SERVICE_NAME, level: config.logLevel, version: SERVICE_VERSION });
  const clock = options.clock ?? systemClock;
  const opened = await openEventStore(config);
  const store =
    config.multiStreamAppend === 'off' ? withoutMultiStreamAppend(opened.store) : opened.store;
  const registry = createMetricsRegistry(SERVICE_NAME);
  const metrics = createCommandMetrics(registry);
  const handler = new CommandHandler({
    store,
    metrics,
    maxRetries: config.commandMaxRetries,
    cacheStreams: config.commandCacheStreams,
  });
  const processManager = new TransferProcessManager({
    handler,
    clock,
    ...(options.transferHooks ? { hooks: options.transferHooks } : {}),
  });
  const recovery = new TransferRecovery({
    store,
    processManager,
    metrics,
    logger: logger.child({ component: 'transfer-recovery' }),
    intervalMs: config.transferRecoveryIntervalMs,
    minAgeMs: config.transferRecoveryMinAgeMs,
    // Transfers appended whole are never half-done: the worker only finishes what a process
    // manager (an older version, or a store without the atomic append) left behind.
    untilDrained: store.supportsMultiStreamAppend,
  });

  const { CommandService, CommandCallsService } = commandsPackage();
  const handlers = commandServiceHandlers({
    handler,
    store,
    clock,
    processManager,
    metrics,
    logger,
    authenticator: createCallerAuthenticator(config),
  });
  // The same handlers on call streams (the gateway's hop): see commands.proto, CommandCallsService.
  const callStreams = new CallStreamServer(CommandService.service, handlers);
  const grpcServer = await startGrpcServer({
    host: config.grpcHost,
    port: config.grpcPort,
    credentials: await grpcServerCredentials(config.grpcTls, logger),
    healthServices: [GRPC_SERVICE_NAME],
    register: (server) => {
      server.addService(CommandService.service, handlers);
      server.addService(CommandCallsService.service, { Calls: callStreams.handle });
    },
  });
  const ready = () => store.headPosition().then(() => true);
  const ops = await startOpsServer({
    host: config.metricsHost,
    port: config.metricsPort,
    registry,
    logger,
    readiness: { ready },
  });
  const holdExpiry = new HoldExpiry({
    store,
    handler,
    clock,
    metrics,
    logger: logger.child({ component: 'hold-expiry' }),
    intervalMs: config.holdExpiryIntervalMs,
  });
  recovery.start();
  holdExpiry.start();
  const outcomePurge = purgeOutcomesPeriodically({
    store,
    retentionMs: config.idempotencyRetentionHours * 3_600_000,
    everyMs: 3_600_000,
    logger: logger.child({ component: 'outcome-purge' }),
  });
  const membership = await joinRegistry({
    config,
    service: SERVICE_NAME,
    version: SERVICE_VERSION,
    grpc: { host: config.grpcHost, port: grpcServer.port },
    metrics: { host: config.metricsHost, port: ops.port },
    readiness: ready,
    logger,
  });
  logger.info(
    { port: grpcServer.port, metricsPort: ops.port, ...RUNTIME },
    'command service listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    port: grpcServer.port,
    metricsPort: ops.port,
    registry,
    stop: () =>
      (stopping ??= (async () => {
        // Out of the registry first, so no gateway picks this instance while it drains.
        await membership.leave();
        // Streams end once their calls are answered; new calls on them go elsewhere.
        callStreams.drain();
        await grpcServer.shutdown(config.shutdownGraceMs);
        outcomePurge.stop();
        await recovery.stop();
        await holdExpiry.stop();
        await ops.close();
        await opened.close();
        logger.info('command service stopped');
      })()),
  };
}
