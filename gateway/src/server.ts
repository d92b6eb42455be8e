import type { FastifyInstance } from 'fastify';
import { buildApp, type GatewayDeps } from './app.js';
import type { GatewayConfig } from './environment.js';

export interface RunningGateway {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  /** Stops taking requests, lets in-flight ones finish, releases every resource. */
  stop(): Promise<void>;
}

/** Builds the app and listens on HOST:PORT (port 0 picks a free one). */
export async function startGateway(
  config: GatewayConfig,
  deps: GatewayDeps = {},
): Promise<RunningGateway> {
  const app = await buildApp(config, deps);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    app,
    stop: () => (stopping ??= app.close()),
  };
}
