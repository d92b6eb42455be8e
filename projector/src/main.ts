import { ConfigError, createLogger, onShutdownSignal, startOpsServer } from '@bank/platform';
import { readProjectorConfig, type ProjectorConfig } from './environment.js';
import { startProjector } from './index.js';

let config: ProjectorConfig;
try {
  config = readProjectorConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(2);
}

const logger = createLogger({ service: 'projector', level: config.logLevel });
try {
  const projector = await startProjector(config, { logger });
  const ops = await startOpsServer({
    host: config.metricsHost,
    port: config.metricsPort,
    registry: projector.metrics.registry,
    readiness: { ready: () => projector.ready() },
    logger,
  });
  onShutdownSignal(logger, async () => {
    await projector.stop();
    await ops.close();
  });
  logger.info({ metricsPort: ops.port }, 'projector ready');
} catch (error) {
  logger.fatal({ err: error }, 'projector failed to start');
  process.exit(1);
}
