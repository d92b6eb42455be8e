import {
  contextWithSpan,
  extractTraceContext,
  failSpan,
  SpanKind,
  startSpan,
  tracingEnabled,
  type Span,
  type TraceContext,
} from '@bank/platform';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span while tracing; upstream calls are its children. */
    traceSpan: Span | undefined;
  }
}

/**
 * One SERVER span per HTTP request, continuing the caller's W3C `traceparent` when it sends one.
 * Registers no hooks at all while tracing is off.
 */
export default fp(
  (app, _options, done) => {
    app.decorateRequest('traceSpan', undefined);
    if (!tracingEnabled()) return done();
    app.addHook('onRequest', (request, _reply, next) => {
      const route = request.routeOptions.url ?? 'unmatched';
      request.traceSpan = startSpan(`${request.method} ${route}`, {
        kind: SpanKind.SERVER,
        parent: extractTraceContext(request.headers),
        attributes: {
          'http.request.method': request.method,
          'http.route': route,
          'bank.correlation_id': String(request.id),
        },
      });
      next();
    });
    app.addHook('onError', (request, _reply, error, next) => {
      failSpan(request.traceSpan, error);
      next();
    });
    app.addHook('onResponse', (request, reply, next) => {
      const span = request.traceSpan;
      if (span) {
        span.setAttribute('http.response.status_code', reply.statusCode);
        if (reply.statusCode >= 500) failSpan(span, new Error(`HTTP ${reply.statusCode}`));
        span.end();
      }
      next();
    });
    done();
  },
  { name: 'tracing', fastify: '5.x' },
);

/** The trace context upstream calls of this request run in, while tracing. */
export function requestTraceContext(request: {
  traceSpan: Span | undefined;
}): TraceContext | undefined {
  return contextWithSpan(request.traceSpan);
}
