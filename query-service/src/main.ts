import {
  ConfigError,
  createLogger,
  onShutdownSignal,
  startTracing,
  wantsPrettyLogs,
} from '@bank/platform';
import { readQueryServiceConfig, SERVICE_VERSION, startQueryService } from './index.js';

let config;
try {
  config = readQueryServiceConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger({
  service: 'query-service',
  version: SERVICE_VERSION,
  level: config.logLevel,
  pretty: wantsPrettyLogs(config.nodeEnv),
});
const tracing = startTracing({
  service: 'query-service',
  version: SERVICE_VERSION,
  endpoint: config.otlpEndpoint,
});
try {
  const service = await startQueryService(config, { logger });
  onShutdownSignal(logger, async () => {
    await service.stop();
    await tracing.shutdown();
  });
} catch (error) {
  logger.fatal({ err: error }, 'query service failed to start');
  process.exit(1);
}
