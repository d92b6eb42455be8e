import { joinRegistry, RUNTIME, runService, startOpsServer } from '@bank/platform';
import { readProjectorConfig } from './environment.js';
import { SERVICE_VERSION, startProjector } from './index.js';

await runService({
  service: 'projector',
  version: SERVICE_VERSION,
  readConfig: readProjectorConfig,
  async start(config, logger) {
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
    logger.info({ metricsPort: ops.port, ...RUNTIME }, 'projector ready');
    return {
      async stop() {
        await membership.leave();
        await projector.stop();
        await ops.close();
      },
    };
  },
});
