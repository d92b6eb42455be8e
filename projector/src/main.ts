import {
  ConfigError,
  createLogger,
  joinRegistry,
  onShutdownSignal,
  RUNTIME,
  startOpsServer,
  startTracing,
  wantsPrettyLogs,
} from '@bank/platform';
import { readProjectorConfig, type ProjectorConfig } from './environment.js';
import { SERVICE_VERSION, startProjector } from './index.js';

let config: ProjectorConfig;
try {
  config = readProjectorConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(2);
}

const logger = createLogger({
  service: 'projector',
  version: SERVICE_VERSION,
  level: config.logLevel,
  pretty: wantsPrettyLogs(config.nodeEnv),
});
const tracing = startTracing({
  service: 'projector',
  version: SERVICE_VERSION,
  endpoint: config.otlpEndpoint,
});
try {
  const projector = await startProjector(config, { logger });
  const ops = await startOpsServer({
    host: config.metricsHost,
    port: config.metricsPort,
    registry: projector.metrics.registry,
    readiness: { ready: () => projector.ready() },
    logger,
  });
  const membership = await joinRegistry({
    config,
    service: 'projector',
    version: SERVICE_VERSION,
    metrics: { host: config.metricsHost, port: ops.port },
    readiness: () => projector.ready(),
    logger,
  });
  onShutdownSignal(logger, async () => {
    await membership.leave();
    await projector.stop();
    await ops.close();
    await tracing.shutdown();
  });
  logger.info({ metricsPort: ops.port, ...RUNTIME }, 'projector ready');
} catch (error) {
  logger.fatal({ err: error }, 'projector failed to start');
  process.exit(1);
}
