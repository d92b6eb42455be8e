import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createLogger, grpcChannelCredentials, serviceVersion, type Logger } from '@bank/platform';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { GatewayConfig } from './environment.js';
import { clientErrorProblem, frameworkErrorProblem } from './http/edge-errors.js';
import { parseJsonBody } from './http/json-body.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import authPlugin from './plugins/auth.js';
import errorsPlugin from './plugins/errors.js';
import metricsPlugin from './plugins/metrics.js';
import openapiPlugin from './plugins/openapi.js';
import rateLimitPlugin from './plugins/rate-limit.js';
import responseCachePlugin from './plugins/response-cache.js';
import sharedStatePlugin from './plugins/shared-state.js';
import tracingPlugin from './plugins/tracing.js';
import upstreamsPlugin from './plugins/upstreams.js';
import { OPERATIONS, registerOperations } from './operations/index.js';
import opsRoutes from './routes/ops.js';

/** What tests (and embedders) may supply instead of the defaults built from the config. */
export interface GatewayDeps {
  readonly logger?: Logger;
  readonly metrics?: GatewayMetrics;
}

export const GATEWAY_VERSION = serviceVersion(import.meta.url);

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's X-Request-Id when it is a sane token, else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * The gateway as a Fastify app, not listening: tests drive it with `app.inject`, the server
 * (server.ts) listens. Resources are plugins released on close.
 */
export async function buildApp(
  config: GatewayConfig,
  deps: GatewayDeps = {},
): Promise<FastifyInstance> {
  const logger =
    deps.logger ??
    createLogger({ service: 'gateway', level: config.logLevel, version: GATEWAY_VERSION });
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    // Node checks request timeouts only every `connectionsCheckingInterval` (30 s by default):
    // a client trickling its body one byte a second would hold a connection far past the
    // request timeout. Checked every second, it is cut off on time.
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: config.requestTimeoutMs,
          headersTimeout: Math.min(config.requestTimeoutMs, 60_000),
          connectionsCheckingInterval: 1000,
        },
        handler,
      ),
    frameworkErrors: frameworkErrorProblem,
    clientErrorHandler: clientErrorProblem,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    genReqId: (request) => requestIdFrom(request.headers['x-request-id']),
    return503OnClosing: true,
    trustProxy: config.trustProxy,
    // Strict validation: no coercion (a JSON number is not an amount) and no silent stripping
    // of unknown fields (they are a 400).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }) as unknown as FastifyInstance;

  // JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  // JSON bodies: prototype keys and repeated keys refused, each with its own message.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  await app.register(errorsPlugin);
  await app.register(tracingPlugin);
  await app.register(metricsPlugin, { metrics: deps.metrics ?? createGatewayMetrics() });
  await app.register(authPlugin, {
    key: config.jwt,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    clockToleranceSeconds: config.jwtClockToleranceSeconds,
    maxLifetimeSeconds: config.jwtMaxLifetimeSeconds,
  });
  await app.register(sharedStatePlugin, {
    redisUrl: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    logger,
  });
  await app.register(rateLimitPlugin, {
    perPrincipalPerMinute: config.rateLimitPerMinute,
    perIpPerMinute: config.rateLimitIpPerMinute,
  });
  await app.register(responseCachePlugin, {
    ttlMs: config.cacheTtlMs,
    maxEntries: config.cacheMaxEntries,
  });
  await app.register(upstreamsPlugin, {
    commandServiceAddress: config.commandServiceAddress,
    queryServiceAddress: config.queryServiceAddress,
    registry: config.registry,
    credentials: grpcChannelCredentials(config.grpcTls, logger),
    logger,
    timeoutMs: config.upstreamTimeoutMs,
    retries: config.upstreamRetries,
    commandStreams: config.commandStreams,
  });
  await app.register(openapiPlugin, {
    algorithms: app.tokenVerifier.algorithms,
    maxTokenLifetimeSeconds: config.jwtMaxLifetimeSeconds,
  });

  await app.register((ops, _options, done) => {
    opsRoutes(ops);
    done();
  });
  await app.register((api, _options, done) => {
    // Order matters: the token is looked at, the request counted (per principal when the token
    // is valid, else per IP, so a refused token still counts), then the token's refusal and the
    // route's roles. Schema validation runs after these, so a stranger learns nothing.
    api.addHook('onRequest', async (request, reply) => {
      const refusal = await api.authenticate(request).then(
        () => undefined,
        (error: unknown) => ({ error }),
      );
      await api.limitRequests(request, reply);
      if (refusal) throw refusal.error;
    });
    api.addHook('onRequest', (request) => api.authorize(request));
    registerOperations(api, OPERATIONS);
    done();
  });
  return app;
}
