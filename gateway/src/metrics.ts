import { createMetricsRegistry } from '@bank/platform';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Every metric the gateway exports, `gateway_<thing>_<unit>`, plus the default process metrics. */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** principal is the caller's kind (anonymous, customer, teller, admin), never an id. */
  readonly httpRequests: Counter<'route' | 'method' | 'status' | 'principal'>;
  readonly httpDuration: Histogram<'route' | 'method'>;
  readonly cacheRequests: Counter<'result'>;
  readonly rateLimited: Counter<'scope'>;
  readonly upstreamCalls: Counter<'service' | 'method' | 'outcome'>;
  /** Calls per message on the streams to the command service: how many travelled together. */
  readonly commandStreamMessage: Histogram;
  readonly commandStreamsOpened: Counter;
  readonly idempotentReplays: Counter<'outcome'>;
  /** 1 while the service registry answers, per upstream service (registry configured only). */
  readonly registryConnected: Gauge<'service'>;
  readonly registryInstances: Gauge<'service' | 'state'>;
  /** 1 while Redis (limits and cache versions shared by every gateway) answers. */
  readonly sharedStateUp: Gauge;
  readonly sharedStateErrors: Counter<'operation'>;
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
    commandStreamMessage: new Histogram({
      name: 'gateway_command_stream_message_calls',
      help: 'Calls (and cancels) per message on the streams to the command service: the commands that travelled together.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    commandStreamsOpened: new Counter({
      name: 'gateway_command_streams_opened_total',
      help: 'Streams to the command service opened (each replaces one past its age, broken or drained).',
      registers: [registry],
    }),
    idempotentReplays: new Counter({
      name: 'gateway_idempotency_outcomes_total',
      help: 'POSTs by idempotency outcome: started, replay, mismatch, in_flight.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    registryConnected: new Gauge({
      name: 'gateway_registry_connected',
      help: 'Whether the service registry answers (1) or calls go to the last known set (0), by upstream service.',
      labelNames: ['service'],
      registers: [registry],
    }),
    registryInstances: new Gauge({
      name: 'gateway_registry_instances',
      help: 'Instances of each upstream service listed in the registry, by state (ready, not_ready).',
      labelNames: ['service', 'state'],
      registers: [registry],
    }),
    sharedStateUp: new Gauge({
      name: 'gateway_shared_state_up',
      help: 'Whether Redis, which holds the rate-limit counters and cache versions every gateway shares, answers (REDIS_URL set only).',
      registers: [registry],
    }),
    sharedStateErrors: new Counter({
      name: 'gateway_shared_state_errors_total',
      help: 'Redis operations that failed, by operation (rate_limit: the request passed unlimited; cache_check: served from upstream; cache_invalidate).',
      labelNames: ['operation'],
      registers: [registry],
    }),
  };
}
