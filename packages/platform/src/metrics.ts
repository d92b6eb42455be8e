import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from './logger.js';

/** A registry with the process's default metrics, prefixed by service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: `${service.replace(/-/g, '_')}_` });
  return registry;
}

/**
 * The runtime a process runs on, for its /healthz answer and its start log line: every service
 * must run on the Node the project pins (the root `node` dev dependency), never the machine's.
 */
export const RUNTIME: { readonly node: string } = { node: process.version };

/** The body of every service's /healthz: the process lives, and on which Node. */
export const liveness = (): { status: 'ok'; node: string } => ({ status: 'ok', ...RUNTIME });

export interface Readiness {
  /** Resolves true when the service can do its work (its stores answer). */
  ready(): Promise<boolean>;
}

/**
 * A small HTTP server for services that do not speak HTTP themselves: GET /metrics,
 * /healthz (the process lives) and /readyz (its dependencies answer).
 */
export async function startOpsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  readiness: Readiness;
  logger: Logger;
}): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, '{"error":"method not allowed"}');
    if (path === '/healthz') return send(200, JSON.stringify(liveness()));
    if (path === '/readyz') {
      options.readiness
        .ready()
        .then((ok) => send(ok ? 200 : 503, JSON.stringify({ status: ok ? 'ready' : 'not ready' })))
        .catch(() => send(503, '{"status":"not ready"}'));
      return;
    }
    if (path === '/metrics') {
      options.registry
        .metrics()
        .then((text) => send(200, text, options.registry.contentType))
        .catch((error: unknown) => {
          options.logger.error({ err: error }, 'metrics collection failed');
          send(500, '{"error":"metrics unavailable"}');
        });
      return;
    }
    send(404, '{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
