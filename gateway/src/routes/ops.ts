import { liveness } from '@bank/platform';
import type { FastifyInstance } from 'fastify';

const tags = ['operations'];

/** Liveness, readiness (both upstreams answer) and metrics. */
export default function opsRoutes(app: FastifyInstance): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags,
        summary: 'The process lives, and the Node version it runs on',
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              node: { type: 'string', description: 'process.version, e.g. v24.11.0' },
            },
          },
        },
      },
    },
    liveness,
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags,
        summary: 'The gateway can serve: both upstreams answer grpc.health.v1',
        response: {
          '2xx': readinessSchema,
          '5xx': readinessSchema,
        },
      },
    },
    async (_request, reply) => {
      const upstreams = await app.upstreams.health();
      const checks = { commandService: upstreams.command, queryService: upstreams.query };
      const ready = Object.values(checks).every(Boolean);
      // Neither stops the gateway serving: without the registry calls go to the last known
      // set; without Redis limits pass and the cache is bypassed. Both are shown.
      const discovery = app.discovery?.state();
      const sharedState = app.sharedState
        ? { connected: app.sharedState.status === 'ready' }
        : undefined;
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not ready',
        checks,
        ...(discovery ? { discovery } : {}),
        ...(sharedState ? { sharedState } : {}),
      });
    },
  );

  app.get(
    '/metrics',
    { schema: { tags, summary: 'Prometheus metrics' } },
    async (_request, reply) => {
      const text = await app.metrics.registry.metrics();
      return reply.type(app.metrics.registry.contentType).send(text);
    },
  );
}

const readinessSchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    checks: {
      type: 'object',
      properties: {
        commandService: { type: 'boolean' },
        queryService: { type: 'boolean' },
      },
    },
    discovery: {
      description: 'With a service registry: what it lists of each upstream',
      type: 'object',
      properties: Object.fromEntries(
        ['command', 'query'].map((upstream) => [
          upstream,
          {
            type: 'object',
            properties: {
              connected: { type: 'boolean' },
              ready: { type: 'integer' },
              notReady: { type: 'integer' },
            },
          },
        ]),
      ),
    },
    sharedState: {
      description: 'With REDIS_URL: whether the shared rate limits and cache versions answer',
      type: 'object',
      properties: { connected: { type: 'boolean' } },
    },
  },
} as const;
