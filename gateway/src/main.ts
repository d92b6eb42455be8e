#!/usr/bin/env node
import {
  ConfigError,
  createLogger,
  onShutdownSignal,
  RUNTIME,
  startTracing,
  wantsPrettyLogs,
} from '@bank/platform';
import { GATEWAY_VERSION } from './app.js';
import { readGatewayConfig, type GatewayConfig } from './environment.js';
import { startGateway } from './server.js';

let config: GatewayConfig;
try {
  config = readGatewayConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const logger = createLogger({
  service: 'gateway',
  version: GATEWAY_VERSION,
  level: config.logLevel,
  pretty: wantsPrettyLogs(config.nodeEnv),
});
// Before the app is built: its tracing plugin only registers hooks when tracing is on.
const tracing = startTracing({
  service: 'gateway',
  version: GATEWAY_VERSION,
  endpoint: config.otlpEndpoint,
});
if (config.jwt.kind === 'secret' && !process.env['JWT_SECRET']) {
  logger.warn('no JWT key configured: using the development secret (never in production)');
}
try {
  const gateway = await startGateway(config, { logger });
  logger.info({ url: gateway.url, ...RUNTIME }, 'gateway listening');
  onShutdownSignal(logger, async () => {
    await gateway.stop();
    await tracing.shutdown();
  });
} catch (error) {
  logger.fatal({ err: error }, 'gateway failed to start');
  process.exit(1);
}
