import { createMetricsRegistry } from '@bank/platform';
import type { ProjectionLag } from '@bank/read-models';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The projector's metrics: `projector_<thing>_<unit>`, each with a help text. */
export class ProjectorMetrics {
  readonly registry: Registry;
  readonly eventsRelayed: Counter;
  readonly eventsApplied: Counter;
  readonly batchDuration: Histogram<'stage'>;
  readonly lagEvents: Gauge;
  readonly lagSeconds: Gauge;
  readonly lastAppliedAge: Gauge;
  readonly consumerLag: Gauge<'partition'>;
  readonly dlqMessages: Counter<'reason'>;
  readonly dlqSize: Gauge;
  readonly streamGaps: Counter;

  constructor(lag?: () => Promise<ProjectionLag | undefined>, deadLetters?: () => Promise<number>) {
    const registry = createMetricsRegistry('projector');
    this.registry = registry;
    this.eventsRelayed = new Counter({
      name: 'projector_events_relayed_total',
      help: 'Events the relay sent to Kafka and saw acknowledged.',
      registers: [registry],
    });
    this.eventsApplied = new Counter({
      name: 'projector_events_applied_total',
      help: 'Events applied to the read models (redeliveries not counted).',
      registers: [registry],
    });
    this.batchDuration = new Histogram({
      name: 'projector_batch_duration_seconds',
      help: 'Time to relay (stage=relay) or apply and commit (stage=apply) one batch.',
      labelNames: ['stage'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    // The lag gauges are computed when scraped, with the definition `bank status` uses
    // (measureProjectionLag; docs/operations.md, "Lag"). One scrape measures once for all three.
    let measuring: Promise<ProjectionLag | undefined> | undefined;
    const scrapeLag = () => {
      measuring ??= (lag?.() ?? Promise.resolve(undefined))
        .catch(() => undefined)
        .finally(() => setImmediate(() => (measuring = undefined)));
      return measuring;
    };
    this.lagEvents = new Gauge({
      name: 'projector_lag_events',
      help: 'Events in the event store not yet in the views: head position minus consistent position.',
      registers: [registry],
      async collect() {
        const lag = await scrapeLag();
        if (lag) this.set(Number(lag.events));
      },
    });
    this.lagSeconds = new Gauge({
      name: 'projector_lag_seconds',
      help: 'How long the oldest event not yet in the views has waited (now minus its recordedAt); 0 when none is behind.',
      registers: [registry],
      async collect() {
        const lag = await scrapeLag();
        if (lag) this.set(lag.seconds);
      },
    });
    this.lastAppliedAge = new Gauge({
      name: 'projector_last_applied_event_age_seconds',
      help: 'Seconds since the newest event in the views occurred; grows while no events arrive.',
      registers: [registry],
      async collect() {
        const lag = await scrapeLag();
        if (lag?.sinceLastAppliedSeconds !== undefined) this.set(lag.sinceLastAppliedSeconds);
      },
    });
    this.consumerLag = new Gauge({
      name: 'projector_consumer_lag_messages',
      help: 'Messages in a partition after the last one this consumer processed.',
      labelNames: ['partition'],
      registers: [registry],
    });
    this.dlqMessages = new Counter({
      name: 'projector_dlq_messages_total',
      help: 'Messages or events sent to the dead-letter queue, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.dlqSize = new Gauge({
      name: 'projector_dlq_size_messages',
      help: 'Dead letters waiting for an operator (rows in projection_dead_letters; in Kafka mode each is also on the DLQ topic).',
      registers: [registry],
      async collect() {
        const size = await deadLetters?.().catch(() => undefined);
        if (size !== undefined) this.set(size);
      },
    });
    this.streamGaps = new Counter({
      name: 'projector_stream_gaps_total',
      help: 'Events that arrived before an earlier event of their stream (each attempt counted).',
      registers: [registry],
    });
  }
}
