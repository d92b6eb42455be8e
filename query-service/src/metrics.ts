import { Histogram, type Registry } from 'prom-client';
import type { UnaryObserver } from '@bank/platform';

export interface QueryMetrics {
  readonly observeQuery: UnaryObserver;
  /** How long a query waited for the views to reach its consistency token, by outcome. */
  readonly consistencyWait: Histogram<'outcome'>;
}

export function createQueryMetrics(registry: Registry): QueryMetrics {
  const queryDuration = new Histogram({
    name: 'query_service_query_duration_seconds',
    help: 'Duration of query-service RPCs, consistency wait included, by RPC and outcome (ok or error code).',
    labelNames: ['rpc', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const consistencyWait = new Histogram({
    name: 'query_service_consistency_wait_seconds',
    help: 'Time queries carrying a consistency token waited for the views to reach it, by outcome (reached, timeout, deadline, beyond_head).',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers: [registry],
  });
  return {
    observeQuery: (rpc, outcome, seconds) => queryDuration.observe({ rpc, outcome }, seconds),
    consistencyWait,
  };
}
