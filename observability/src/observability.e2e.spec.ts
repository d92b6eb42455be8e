import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  createTestSchema,
  createTestTopic,
  kafkaBrokers,
  startStack,
  waitFor,
  withKafkaAdmin,
  type Stack,
  type StackService,
  type TestSchema,
  type TestTopic,
} from '@bank/testkit';
import { parse } from 'yaml';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { exportedMetricNames, helpTexts, metricNamesIn } from './promql.js';

/**
 * The whole stack as child processes (Kafka mode: relay and consumer), every service at
 * LOG_LEVEL=debug and exporting spans to an in-test OTLP/HTTP receiver, exactly as they would
 * to a collector. One stack serves the three checks: correlation ids in every service's logs,
 * one trace across gateway, command service and projector, and the dashboard and alert rules
 * against the metrics the running services export.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Series Prometheus itself makes for every target; no service exports them. */
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

const METRIC_PREFIX: Record<string, string> = {
  gateway: 'gateway_',
  'command-service': 'command_service_',
  'query-service': 'query_service_',
  projector: 'projector_',
};

interface LogLine {
  readonly level?: string;
  readonly service?: string;
  readonly version?: string;
  readonly instance?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

function logLines(service: StackService): LogLine[] {
  return service.output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

describe('observability across the stack', () => {
  let schema: TestSchema;
  let topic: TestTopic;
  let receiver: OtlpReceiver;
  let stack: Stack;
  let teller: string;

  before(async () => {
    schema = await createTestSchema('observability');
    topic = await createTestTopic('bank.events.observability', 3);
    receiver = await startOtlpReceiver();
    const telemetry = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      // Export within a fifth of a second rather than the default five.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    stack = await startStack({
      databaseUrl: schema.url,
      kafka: { brokers: kafkaBrokers(), topic: topic.name, groupId: `${topic.name}-group` },
      jwtSecret: randomBytes(32).toString('hex'),
      logLevel: 'debug',
      env: {
        gateway: telemetry,
        'command-service': telemetry,
        'query-service': telemetry,
        projector: telemetry,
      },
    });
    teller = stack.mintToken('teller-obs', ['teller']);
  });

  after(async () => {
    await stack?.stop();
    await receiver?.close();
    await withKafkaAdmin((admin) => admin.deleteTopics({ topics: [`${topic.name}.dlq`] })).catch(
      () => undefined,
    );
    await topic?.delete();
    await schema?.drop();
  });

  const post = async (
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> =>
    fetch(stack.gatewayUrl + path, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${teller}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        ...headers,
      },
      body: JSON.stringify(body),
    });

  it('carries the request id as correlation id through every service, into the stored events', async () => {
    // A command: gateway → command service → event store → relay → Kafka → consumer.
    const opened = await post('/v1/accounts', { currency: 'USD', ownerId: 'customer-obs' });
    assert.equal(opened.status, 201);
    const correlationId = opened.headers.get('x-request-id');
    assert.ok(correlationId, 'the gateway answers with its request id');
    const { account, position } = (await opened.json()) as {
      account: { id: string };
      position: string;
    };

    // A write never reaches the query service: the client reads its write back under the same
    // request id, as a client ties the steps of one flow together.
    const read = await fetch(`${stack.gatewayUrl}/v1/accounts/${account.id}`, {
      headers: {
        authorization: `Bearer ${teller}`,
        'x-request-id': correlationId,
        'x-consistency-token': position,
      },
    });
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('x-request-id'), correlationId);

    const { rows } = await schema.pool.query<{ metadata: Record<string, unknown> }>(
      `SELECT metadata FROM events WHERE stream_id = $1 ORDER BY revision`,
      [`account-${account.id}`],
    );
    assert.equal(rows.length, 1);
    const metadata = rows[0]?.metadata ?? {};
    assert.equal(metadata['correlationId'], correlationId);
    assert.ok(typeof metadata['commandId'] === 'string' && metadata['commandId'].length > 0);
    assert.equal(metadata['causationId'], metadata['commandId'], 'caused by its command');
    assert.match(String(metadata['traceparent']), /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    const projector = stack.services.projectors[0];
    assert.ok(projector);
    const services = [
      stack.services.gateway,
      stack.services.commands[0],
      projector,
      stack.services.query,
    ];
    const found = await waitFor(
      () => {
        const perService = services.map((service) => ({
          service,
          lines: service
            ? logLines(service).filter((line) => line.correlationId === correlationId)
            : [],
        }));
        return perService.every(({ lines }) => lines.length > 0) && perService;
      },
      { timeoutMs: 15_000, description: 'the correlation id in every service log' },
    ).catch((error: unknown) => {
      const missing = services
        .filter((s) => s && !logLines(s).some((l) => l.correlationId === correlationId))
        .map((s) => s?.name);
      throw new Error(`correlation id ${correlationId} missing from: ${missing.join(', ')}`, {
        cause: error,
      });
    });
    for (const { service, lines } of found) {
      for (const line of lines) {
        assert.equal(line.service, service?.kind, `${service?.name} logs its service name`);
        assert.match(String(line.version), /^\d+\.\d+\.\d+/);
        assert.match(String(line.instance), /:\d+$/);
      }
    }
    // The projector's line comes from the Kafka consumer, with the command as causation.
    const applying = found[2]?.lines.find((line) => line.msg === 'applying');
    assert.ok(applying, 'the consumer logs the event it applies');
    assert.equal(applying.causationId, metadata['commandId']);

    // Bearer tokens never reach a log.
    for (const service of stack.services.all) {
      assert.ok(!service.output.includes(teller), `${service.name} logged a bearer token`);
    }
  });

  it('records one trace across the gateway, the command service and the projector', async () => {
    // The client starts the trace: its traceparent is the gateway span's parent.
    const traceId = randomBytes(16).toString('hex');
    const opened = await post(
      '/v1/accounts',
      { currency: 'EUR', ownerId: 'customer-trace' },
      { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    );
    assert.equal(opened.status, 201);

    const chain = (spans: readonly ReceivedSpan[], span: ReceivedSpan): string[] => {
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const names: string[] = [];
      for (let at: ReceivedSpan | undefined = span; at; at = byId.get(at.parentSpanId ?? '')) {
        names.unshift(`${at.service}:${at.name}`);
      }
      return names;
    };
    // Each service exports on its own schedule, so wait until the projection span and every
    // ancestor up to the client's parent have arrived (or time out, and compare what came).
    const trace = () => {
      const spans = receiver.spans.filter((span) => span.traceId === traceId);
      const projection = spans.find(
        (s) => s.service === 'projector' && s.name.startsWith('project '),
      );
      return { spans, projection };
    };
    await waitFor(
      () => {
        const { spans, projection } = trace();
        return projection !== undefined && chain(spans, projection).length >= 6;
      },
      { timeoutMs: 20_000, description: 'every span of the trace' },
    ).catch(() => undefined);
    const { spans, projection } = trace();
    assert.ok(projection, 'the projection span arrived');
    // Every hop is the parent of the next: HTTP → gRPC client → gRPC server → append → publish
    // → projection.
    assert.deepEqual(chain(spans, projection), [
      'gateway:POST /v1/accounts',
      'gateway:OpenAccount',
      'command-service:OpenAccount',
      'command-service:event-store append',
      `projector:${topic.name} publish`,
      'projector:project AccountOpened',
    ]);
  });

  it('exports every metric the dashboard and the alert rules use, each named and described', async () => {
    const exported = new Set(PROMETHEUS_SERIES);
    for (const service of stack.services.all) {
      const response = await fetch(service.metricsUrl);
      assert.equal(response.status, 200, `${service.name} /metrics`);
      const text = await response.text();
      const names = exportedMetricNames(text);
      const prefix = METRIC_PREFIX[service.kind] ?? '';
      for (const name of names) {
        assert.ok(name.startsWith(prefix), `${service.name} exports ${name}, not ${prefix}*`);
        exported.add(name);
      }
      for (const [family, help] of helpTexts(text)) {
        assert.ok(help.trim().length > 0, `${family} has no help text`);
      }
      assert.ok(names.has(`${prefix}process_cpu_seconds_total`), `${service.name} default metrics`);
    }

    const used = new Map<string, string>();
    const dashboard = JSON.parse(
      readFileSync(`${root}deploy/grafana/dashboards/bank-overview.json`, 'utf8'),
    ) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        for (const name of metricNamesIn(target.expr)) used.set(name, `panel "${panel.title}"`);
      }
    }
    const rules = parse(readFileSync(`${root}deploy/prometheus/alerts.yml`, 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const alerts = rules.groups.flatMap((group) => group.rules);
    assert.ok(alerts.length >= 4);
    for (const rule of alerts) {
      for (const name of metricNamesIn(rule.expr)) used.set(name, `alert ${rule.alert}`);
    }

    assert.ok(used.size > 10, 'the tokenizer found the metrics');
    const missing = [...used].filter(([name]) => !exported.has(name));
    assert.deepEqual(
      missing.map(([name, where]) => `${name} (${where})`),
      [],
      'metrics used but exported by no service',
    );
    // The alerts the operations guide documents are the alerts Prometheus loads.
    const guide = readFileSync(`${root}docs/operations.md`, 'utf8');
    for (const rule of alerts) assert.ok(guide.includes(`### ${rule.alert}`), rule.alert);
  });
});
