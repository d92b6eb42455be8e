import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  ALERT_RULES_FILE,
  ALERT_TESTS_FILE,
  REPO_ROOT,
  SERVICE_JOBS,
  durationMs,
  prometheusConfig,
  readAlertRules,
  runPromtool,
} from './prometheus/index.js';

/**
 * The alert rules under promtool: they parse, and each one fires on series that should page,
 * stays silent on series that should not, and resolves (deploy/prometheus/alerts.test.yml).
 */

interface AlertTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts?: readonly unknown[] | null;
}

interface TestGroup {
  readonly name?: string;
  readonly input_series?: ReadonlyArray<{ series: string; values: string }>;
  readonly alert_rule_test?: readonly AlertTest[];
}

const scratch = mkdtempSync(join(tmpdir(), 'bank-promtool-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const promtool = async (...args: string[]): Promise<string> => {
  const run = await runPromtool(args, process.env);
  assert.equal(run.code, 0, `promtool ${args.join(' ')} failed:\n${run.output}`);
  return run.output;
};

describe('alert rules (promtool)', () => {
  it('parse, and name no rule twice', async () => {
    const output = await promtool('check', 'rules', '--lint-fatal', ALERT_RULES_FILE);
    assert.match(output, new RegExp(`SUCCESS: ${readAlertRules().length} rules found`));
  });

  it('pass their unit tests', async () => {
    await promtool('test', 'rules', ALERT_TESTS_FILE);
  });

  it('fail a unit test whose expectation is wrong (the run above can fail)', async () => {
    const wrong = join(scratch, 'wrong.test.yml');
    writeFileSync(
      wrong,
      JSON.stringify({
        rule_files: [ALERT_RULES_FILE],
        tests: [
          {
            interval: '1m',
            input_series: [{ series: 'up{job="gateway", instance="a:1"}', values: '1x5' }],
            alert_rule_test: [
              {
                eval_time: '5m',
                alertname: 'ServiceDown',
                exp_alerts: [
                  { exp_labels: { severity: 'critical', job: 'gateway', instance: 'a:1' } },
                ],
              },
            ],
          },
        ],
      }),
    );
    const run = await runPromtool(['test', 'rules', wrong], process.env);
    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, /FAILED/);
  });

  it('has, for every alert, a test where it fires and resolves and one where it stays silent', () => {
    const rules = readAlertRules();
    const tests = (parse(readFileSync(ALERT_TESTS_FILE, 'utf8')) as { tests: TestGroup[] }).tests;
    const known = new Set(rules.map((rule) => rule.alert));
    for (const group of tests) {
      for (const check of group.alert_rule_test ?? []) {
        assert.ok(known.has(check.alertname), `"${group.name}" tests unknown ${check.alertname}`);
      }
    }
    const missing: string[] = [];
    for (const rule of rules) {
      const forMs = rule.for ? durationMs(rule.for) : 0;
      const checks = tests.map((group) => ({
        group,
        checks: (group.alert_rule_test ?? [])
          .filter((check) => check.alertname === rule.alert)
          .map((check) => ({ at: durationMs(check.eval_time), fires: !!check.exp_alerts?.length })),
      }));
      const firesThenResolves = checks.some(({ checks: own }) =>
        own.some(
          (fired) => fired.fires && own.some((later) => !later.fires && later.at > fired.at),
        ),
      );
      // Silent past its `for`, on series of its own: not merely still pending.
      const silent = checks.some(
        ({ group, checks: own }) =>
          own.length > 0 &&
          (group.input_series?.length ?? 0) > 0 &&
          own.every((check) => !check.fires) &&
          own.some((check) => check.at > forMs),
      );
      if (!firesThenResolves) missing.push(`${rule.alert}: no test where it fires, then resolves`);
      if (!silent) missing.push(`${rule.alert}: no test where it stays silent past its for`);
    }
    assert.deepEqual(missing, []);
  });
});

describe('the operations guide', () => {
  it('has a section for every alert, each with a way to reproduce it locally', () => {
    const guide = readFileSync(`${REPO_ROOT}docs/operations.md`, 'utf8');
    for (const { alert } of readAlertRules()) {
      const start = guide.indexOf(`\n### ${alert}\n`);
      assert.ok(start >= 0, `docs/operations.md has no section ### ${alert}`);
      const next = guide.slice(start + 1).search(/\n##/);
      const section = guide.slice(start, next < 0 ? undefined : start + 1 + next);
      assert.match(section, /Reproduce locally: /, `${alert} says how to reproduce it`);
    }
  });
});

describe('scrape configuration', () => {
  it('generated for a stack passes promtool check config, rules included', async () => {
    const file = join(scratch, 'prometheus.yml');
    writeFileSync(
      file,
      prometheusConfig({
        targets: [
          { job: 'gateway', metricsUrl: 'http://127.0.0.1:8080/metrics' },
          { job: 'command-service', metricsUrl: 'http://127.0.0.1:9464/metrics' },
          { job: 'projector', metricsUrl: 'http://127.0.0.1:9465/metrics' },
          { job: 'projector', metricsUrl: 'http://127.0.0.1:9467/metrics' },
          { job: 'query-service', metricsUrl: 'http://127.0.0.1:9466/metrics' },
        ],
        interval: '1s',
        ruleFiles: [ALERT_RULES_FILE],
        self: '127.0.0.1:9090',
      }),
    );
    const output = await promtool('check', 'config', file);
    assert.match(output, new RegExp(`SUCCESS: ${readAlertRules().length} rules found`));
    const config = parse(readFileSync(file, 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const projector = config.scrape_configs.find((job) => job.job_name === 'projector');
    assert.deepEqual(projector?.static_configs[0]?.targets, ['127.0.0.1:9465', '127.0.0.1:9467']);
  });

  it('of docker compose is valid and uses the same job names', async () => {
    const file = `${REPO_ROOT}deploy/prometheus/prometheus.yml`;
    // Its rule file path exists inside the container only.
    await promtool('check', 'config', '--syntax-only', file);
    const config = parse(readFileSync(file, 'utf8')) as {
      scrape_configs: Array<{ job_name: string }>;
    };
    assert.deepEqual(
      config.scrape_configs.map((job) => job.job_name).sort(),
      [...SERVICE_JOBS, 'prometheus'].sort(),
    );
  });
});
