import { stringify } from 'yaml';

/**
 * Prometheus configuration for a running set of bank services. The job names are the service
 * kinds: the alert rules and the dashboard select on them (`up{job=~"gateway|..."}`), and
 * deploy/prometheus/prometheus.yml (docker compose) uses the same ones.
 */

export const SERVICE_JOBS = ['gateway', 'command-service', 'query-service', 'projector'] as const;
export type ServiceJob = (typeof SERVICE_JOBS)[number];

export interface ScrapeTarget {
  readonly job: ServiceJob;
  /** Where the service serves Prometheus text, e.g. http://127.0.0.1:9464/metrics. */
  readonly metricsUrl: string;
}

export interface PrometheusConfigOptions {
  readonly targets: readonly ScrapeTarget[];
  /** Scrape and rule evaluation interval, a Prometheus duration (`1s`, `15s`). */
  readonly interval: string;
  /** Rule files to load (absolute paths). */
  readonly ruleFiles: readonly string[];
  /** host:port of this Prometheus, scraped as job `prometheus` when given. */
  readonly self?: string;
}

interface ScrapeConfig {
  job_name: string;
  scheme: string;
  metrics_path: string;
  static_configs: Array<{ targets: string[] }>;
}

/** The prometheus.yml text. Targets of one job must share their scheme and path. */
export function prometheusConfig(options: PrometheusConfigOptions): string {
  const jobs = new Map<string, ScrapeConfig>();
  for (const target of options.targets) {
    const url = new URL(target.metricsUrl);
    const scheme = url.protocol.replace(/:$/, '');
    const job = jobs.get(target.job) ?? {
      job_name: target.job,
      scheme,
      metrics_path: url.pathname,
      static_configs: [{ targets: [] }],
    };
    if (job.scheme !== scheme || job.metrics_path !== url.pathname) {
      throw new Error(
        `prometheusConfig: the ${target.job} targets differ in scheme or path (${target.metricsUrl})`,
      );
    }
    job.static_configs[0]?.targets.push(url.host);
    jobs.set(target.job, job);
  }
  if (options.self) {
    jobs.set('prometheus', {
      job_name: 'prometheus',
      scheme: 'http',
      metrics_path: '/metrics',
      static_configs: [{ targets: [options.self] }],
    });
  }
  return stringify({
    global: {
      scrape_interval: options.interval,
      // A scrape may take at most one interval (Prometheus refuses a longer timeout).
      scrape_timeout: options.interval,
      evaluation_interval: options.interval,
    },
    rule_files: [...options.ruleFiles],
    scrape_configs: [...jobs.values()],
  });
}
