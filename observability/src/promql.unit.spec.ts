import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { exportedMetricNames, metricNamesIn } from './promql.js';

const names = (expr: string): string[] => [...metricNamesIn(expr)].sort();

describe('metricNamesIn', () => {
  it('skips functions, aggregations, label matchers, label lists and ranges', () => {
    assert.deepEqual(
      names(
        'histogram_quantile(0.99, sum by (command, le) (rate(command_service_command_duration_seconds_bucket{outcome=~"ok|INTERNAL"}[5m])))',
      ),
      ['command_service_command_duration_seconds_bucket'],
    );
  });

  it('finds every operand of binary operators, and drops keywords and numbers', () => {
    assert.deepEqual(
      names(
        `sum(rate(a_total{status=~"5.."}[5m])) / ignoring (status) group_left sum(rate(b_total[5m])) > bool 0.05
         and on (job) up == 0 unless c_seconds offset 5m or 1e-3 * d_bytes`,
      ),
      ['a_total', 'b_total', 'c_seconds', 'd_bytes', 'up'],
    );
  });

  it('ignores identifiers inside strings and label values', () => {
    assert.deepEqual(names(`x_total{job="not_a_metric", route='/v1/{id}'}`), ['x_total']);
    assert.deepEqual(names('max(projector_lag_events) > 10000'), ['projector_lag_events']);
  });

  it('treats a name with a space before its parenthesis as a function call', () => {
    assert.deepEqual(names('sum without (instance) (rate (y_total [1m]))'), ['y_total']);
  });
});

describe('exportedMetricNames', () => {
  it('adds the series a histogram exports', () => {
    const text = [
      '# HELP h_seconds a histogram',
      '# TYPE h_seconds histogram',
      '# HELP c_total a counter',
      '# TYPE c_total counter',
      'c_total{a="b"} 1',
    ].join('\n');
    assert.deepEqual([...exportedMetricNames(text)].sort(), [
      'c_total',
      'h_seconds',
      'h_seconds_bucket',
      'h_seconds_count',
      'h_seconds_sum',
    ]);
  });
});
