#!/usr/bin/env node
import { ConfigError, createLogger, onShutdownSignal } from '@bank/platform';
import { readGatewayConfig, type GatewayConfig } from './environment.js';
import { startGateway } from './server.js';

let config: GatewayConfig;
try {
  config = readGatewayConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const logger = createLogger({ service: 'gateway', level: config.logLevel });
if (config.jwt.kind === 'secret' && !process.env['JWT_SECRET']) {
  logger.warn('no JWT key configured: using the development secret (never in production)');
}
try {
  const gateway = await startGateway(config, { logger });
  logger.info({ url: gateway.url }, 'gateway listening');
  onShutdownSignal(logger, () => gateway.stop());
} catch (error) {
  logger.fatal({ err: error }, 'gateway failed to start');
  process.exit(1);
}
