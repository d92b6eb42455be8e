import { runService } from '@bank/platform';
import { readQueryServiceConfig, SERVICE_VERSION, startQueryService } from './index.js';

await runService({
  service: 'query-service',
  version: SERVICE_VERSION,
  readConfig: readQueryServiceConfig,
  start: (config, logger) => startQueryService(config, { logger }),
});
