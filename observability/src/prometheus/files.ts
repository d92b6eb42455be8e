import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * The monitoring definitions the repository ships: the alert rules Prometheus loads, their unit
 * tests, and the Grafana dashboard whose panel queries Prometheus evaluates.
 */

/** observability/dist/prometheus → the repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ALERT_RULES_FILE = `${REPO_ROOT}deploy/prometheus/alerts.yml`;
export const ALERT_TESTS_FILE = `${REPO_ROOT}deploy/prometheus/alerts.test.yml`;
export const DASHBOARD_FILE = `${REPO_ROOT}deploy/grafana/dashboards/bank-overview.json`;

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** Prometheus duration, e.g. `5m`; absent when the alert fires at once. */
  readonly for?: string;
}

export function readAlertRules(file = ALERT_RULES_FILE): AlertRule[] {
  const rules = parse(readFileSync(file, 'utf8')) as {
    groups: Array<{ rules: Array<Partial<AlertRule>> }>;
  };
  return rules.groups.flatMap((group) =>
    group.rules.flatMap((rule) =>
      rule.alert && rule.expr ? [{ alert: rule.alert, expr: rule.expr, for: rule.for }] : [],
    ),
  );
}

export interface PanelQuery {
  readonly panel: string;
  /** The target's legend, which tells the queries of one panel apart. */
  readonly legend: string;
  readonly expr: string;
}

export function readDashboardQueries(file = DASHBOARD_FILE): PanelQuery[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
    panels: Array<{ title: string; targets?: Array<{ expr: string; legendFormat?: string }> }>;
  };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      legend: target.legendFormat ?? '',
      expr: target.expr,
    })),
  );
}

/** A Prometheus duration (`90s`, `1m`, `1h30m`) in milliseconds. */
export function durationMs(duration: string): number {
  const units: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
    y: 31_536_000_000,
  };
  const parts = [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== duration) {
    throw new Error(`not a Prometheus duration: ${JSON.stringify(duration)}`);
  }
  return parts.reduce(
    (total, [, count, unit]) => total + Number(count) * (units[unit ?? ''] ?? 0),
    0,
  );
}

export interface AlertTestSeries {
  readonly metric: string;
  readonly labels: readonly string[];
}

/**
 * The series the alert unit tests feed the rules, as metric name and label names (a series is
 * written `name{label="value", ...}`), so a live system can show it exports them.
 */
export function readAlertTestSeries(file = ALERT_TESTS_FILE): AlertTestSeries[] {
  const tests = parse(readFileSync(file, 'utf8')) as {
    tests: Array<{ input_series?: Array<{ series: string }> }>;
  };
  return tests.tests.flatMap((group) =>
    (group.input_series ?? []).map(({ series }) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?$/s.exec(series.trim());
      if (!match?.[1]) throw new Error(`${file}: not a series: ${series}`);
      const matchers = (match[2] ?? '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
      const labels = [...matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=/g)].map(
        (label) => label[1] ?? '',
      );
      return { metric: match[1], labels };
    }),
  );
}
