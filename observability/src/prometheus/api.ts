/** The parts of Prometheus's HTTP API (/api/v1) the checks and the monitor use. */

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  /** NaN and ±Inf as the numbers they are. */
  readonly value: number;
}

export type AlertState = 'inactive' | 'pending' | 'firing';

export interface AlertRuleStatus {
  readonly name: string;
  readonly query: string;
  readonly state: AlertState;
  /** 'ok' once evaluated without error, 'err' with lastError, 'unknown' before. */
  readonly health: 'ok' | 'err' | 'unknown';
  readonly lastError?: string;
  readonly alerts: ReadonlyArray<{
    readonly labels: Readonly<Record<string, string>>;
    readonly state: AlertState;
  }>;
}

export interface TargetStatus {
  readonly job: string;
  readonly scrapeUrl: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
}

export interface TargetMetadata {
  readonly target: Readonly<Record<string, string>>;
  readonly metric: string;
  readonly type: string;
  readonly help: string;
}

export class PrometheusApi {
  constructor(readonly url: string) {}

  /** An instant query at the current time; a scalar comes back as one sample without labels. */
  async query(expr: string): Promise<Sample[]> {
    const data = await this.get<{ resultType: string; result: unknown }>('/api/v1/query', {
      query: expr,
    });
    if (data.resultType === 'scalar') {
      const [, value] = data.result as [number, string];
      return [{ labels: {}, value: Number(value) }];
    }
    if (data.resultType !== 'vector') {
      throw new Error(`${expr}: a ${data.resultType}, not an instant vector`);
    }
    return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map(
      (entry) => ({ labels: entry.metric, value: Number(entry.value[1]) }),
    );
  }

  async alertRules(): Promise<AlertRuleStatus[]> {
    const data = await this.get<{
      groups: Array<{ rules: Array<AlertRuleStatus & { type: string }> }>;
    }>('/api/v1/rules', { type: 'alert' });
    return data.groups.flatMap((group) => group.rules.filter((rule) => rule.type === 'alerting'));
  }

  async targets(): Promise<TargetStatus[]> {
    const data = await this.get<{
      activeTargets: Array<TargetStatus & { labels: Record<string, string> }>;
    }>('/api/v1/targets', { state: 'active' });
    return data.activeTargets.map((target) => ({
      job: target.labels['job'] ?? '',
      scrapeUrl: target.scrapeUrl,
      health: target.health,
      lastError: target.lastError,
    }));
  }

  /** The metric families (name, type, help) each scraped target exposes. */
  async targetMetadata(): Promise<TargetMetadata[]> {
    return this.get<TargetMetadata[]>('/api/v1/targets/metadata', {});
  }

  /** The label sets of the series a selector matches. */
  async series(selector: string): Promise<Array<Record<string, string>>> {
    return this.get<Array<Record<string, string>>>('/api/v1/series', { 'match[]': selector });
  }

  private async get<T>(path: string, params: Record<string, string>): Promise<T> {
    const response = await fetch(`${this.url}${path}?${new URLSearchParams(params).toString()}`, {
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as {
      status: 'success' | 'error';
      data?: T;
      errorType?: string;
      error?: string;
    };
    if (body.status !== 'success' || body.data === undefined) {
      const what = params['query'] ?? params['match[]'] ?? path;
      throw new Error(`Prometheus ${path} (${what}): ${body.errorType}: ${body.error}`);
    }
    return body.data;
  }
}
