import { liveness } from '@bank/platform';
import type { FastifyInstance } from 'fastify';

const tags = ['operations'];

/** Liveness, readiness (both upstreams and the idempotency store answer) and metrics. */
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
        summary:
          'The gateway can serve: both upstreams answer grpc.health.v1 and the idempotency store answers',
        response: {
          '2xx': readinessSchema,
          '5xx': readinessSchema,
        },
      },
    },
    async (_request, reply) => {
      const [upstreams, store] = await Promise.all([
        app.upstreams.health(),
        app.idempotencyStore.ping(),
      ]);
      const checks = {
        commandService: upstreams.command,
        queryService: upstreams.query,
        idempotencyStore: store,
      };
      const ready = Object.values(checks).every(Boolean);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
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
        idempotencyStore: { type: 'boolean' },
      },
    },
  },
} as const;
