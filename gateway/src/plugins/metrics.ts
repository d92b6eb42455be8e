import fp from 'fastify-plugin';
import { principalKind } from '@bank/platform';
import type { GatewayMetrics } from '../metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatewayMetrics;
  }
}

/** Request analytics: a counter and a latency histogram per route template. */
export default fp<{ metrics: GatewayMetrics }>(
  (app, options, done) => {
    app.decorate('metrics', options.metrics);
    app.addHook('onResponse', (request, reply, next) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const method = request.method;
      options.metrics.httpRequests.inc({
        route,
        method,
        status: String(reply.statusCode),
        principal: principalKind(request.principal),
      });
      options.metrics.httpDuration.observe({ route, method }, reply.elapsedTime / 1000);
      next();
    });
    done();
  },
  { name: 'metrics', fastify: '5.x' },
);
