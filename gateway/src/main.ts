#!/usr/bin/env node
import { RUNTIME, runService } from '@bank/platform';
import { GATEWAY_VERSION } from './app.js';
import { readGatewayConfig } from './environment.js';
import { startGateway } from './server.js';

await runService({
  service: 'gateway',
  version: GATEWAY_VERSION,
  readConfig: readGatewayConfig,
  async start(config, logger) {
    if (config.jwt.kind === 'secret' && !process.env['JWT_SECRET']) {
      logger.warn('no JWT key configured: using the development secret (never in production)');
    }
    const gateway = await startGateway(config, { logger });
    logger.info({ url: gateway.url, ...RUNTIME }, 'gateway listening');
    return gateway;
  },
});
