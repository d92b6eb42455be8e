import { Counter, Histogram, type Registry } from 'prom-client';

export interface CommandMetrics {
  readonly commandDuration: Histogram<'command' | 'outcome'>;
  readonly concurrencyRetries: Counter<'command'>;
  readonly eventsAppended: Counter<'type'>;
  readonly appendDuration: Histogram<'outcome'>;
  readonly transfersRecovered: Counter;
  readonly holdsExpired: Counter;
  readonly streamLoads: Counter<'source'>;
}

export function createCommandMetrics(registry: Registry): CommandMetrics {
  return {
    commandDuration: new Histogram({
      name: 'command_service_command_duration_seconds',
      help: 'Time to handle one command RPC, by command and outcome (ok or the error code).',
      labelNames: ['command', 'outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    concurrencyRetries: new Counter({
      name: 'command_service_concurrency_retries_total',
      help: 'Reloads after an append lost an optimistic-concurrency race.',
      labelNames: ['command'],
      registers: [registry],
    }),
    eventsAppended: new Counter({
      name: 'command_service_events_appended_total',
      help: 'Events appended to the event store, by event type.',
      labelNames: ['type'],
      registers: [registry],
    }),
    appendDuration: new Histogram({
      name: 'command_service_event_store_append_duration_seconds',
      help: 'Time of one append to the event store, by outcome (ok, conflict: another writer won, error).',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    transfersRecovered: new Counter({
      name: 'command_service_transfers_recovered_total',
      help: 'Unfinished transfers the recovery worker drove to completed or failed.',
      registers: [registry],
    }),
    holdsExpired: new Counter({
      name: 'command_service_holds_expired_total',
      help: 'Holds released by the expiry worker because their expiresAt had passed.',
      registers: [registry],
    }),
    streamLoads: new Counter({
      name: 'command_service_stream_loads_total',
      help:
        'Streams loaded to decide or answer a command, by source: cache (from memory), tail ' +
        '(cached, the events since read from the store), store (not cached, read from the start).',
      labelNames: ['source'],
      registers: [registry],
    }),
  };
}
