import { createLogger } from '@bank/platform';
import { buildApp } from './app.js';
import { readGatewayConfig, type GatewayConfig } from './environment.js';

/** Nothing listens here: the app is built only to render its document, and never calls out. */
const NO_UPSTREAM = '127.0.0.1:9';

/**
 * The OpenAPI document exactly as GET /openapi.json serves it, from an app built in process
 * (not listening, no upstream, no database): for generated clients and the document's tests.
 */
export async function renderOpenApiDocument(
  config: GatewayConfig = readGatewayConfig({
    LOG_LEVEL: 'silent',
    COMMAND_SERVICE_ADDRESS: NO_UPSTREAM,
    QUERY_SERVICE_ADDRESS: NO_UPSTREAM,
    // It never connects: no certificate needed.
    GRPC_INSECURE: 'true',
  }),
): Promise<unknown> {
  const app = await buildApp(config, {
    logger: createLogger({ service: 'gateway', level: 'silent' }),
  });
  try {
    await app.ready();
    return (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  } finally {
    await app.close();
  }
}
