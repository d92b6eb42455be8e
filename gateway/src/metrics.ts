import { createMetricsRegistry } from '@bank/platform';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Every metric the gateway exports, `gateway_<thing>_<unit>`, plus the default process metrics. */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** principal is the caller's kind (anonymous, customer, teller, admin), never an id. */
  readonly httpRequests: Counter<'route' | 'method' | 'status' | 'principal'>;
  readonly httpDuration: Histogram<'route' | 'method'>;
  readonly cacheRequests: Counter<'result'>;
  readonly rateLimited: Counter<'scope'>;
  readonly upstreamCalls: Counter<'service' | 'method' | 'outcome'>;
  readonly idempotentReplays: Counter<'outcome'>;
}

export function createGatewayMetrics(
  registry: Registry = createMetricsRegistry('gateway'),
): GatewayMetrics {
  return {
    registry,
    httpRequests: new Counter({
      name: 'gateway_http_requests_total',
      help: 'HTTP requests answered, by route template, method, status and caller kind.',
      labelNames: ['route', 'method', 'status', 'principal'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'gateway_http_request_duration_seconds',
      help: 'Time from request received to response sent, by route template and method.',
      labelNames: ['route', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: 'gateway_cache_requests_total',
      help: 'Cacheable GETs: hit (served from cache), miss (asked upstream), revalidated (304).',
      labelNames: ['result'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with 429, by limit scope (ip before authentication, principal after).',
      labelNames: ['scope'],
      registers: [registry],
    }),
    upstreamCalls: new Counter({
      name: 'gateway_upstream_calls_total',
      help: 'gRPC call attempts to the upstream services, by service, method and gRPC status.',
      labelNames: ['service', 'method', 'outcome'],
      registers: [registry],
    }),
    idempotentReplays: new Counter({
      name: 'gateway_idempotency_outcomes_total',
      help: 'POSTs by idempotency outcome: started, replay, mismatch, in_flight.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
