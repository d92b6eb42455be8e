import { ConfigError, createLogger, onShutdownSignal } from '@bank/platform';
import { readQueryServiceConfig, startQueryService } from './index.js';

let config;
try {
  config = readQueryServiceConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger({ service: 'query-service', level: config.logLevel });
try {
  const service = await startQueryService(config, { logger });
  onShutdownSignal(logger, () => service.stop());
} catch (error) {
  logger.fatal({ err: error }, 'query service failed to start');
  process.exit(1);
}
