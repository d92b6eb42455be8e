import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createTestSchema,
  createTestTopic,
  freePort,
  kafkaBrokers,
  launchChromium,
  redisUrl,
  releasePorts,
  startEtcd,
  startStack,
  testKafka,
  waitFor,
  withKafkaAdmin,
  type RunningEtcd,
  type Stack,
  type StackService,
  type TestSchema,
  type TestTopic,
} from '@bank/testkit';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import {
  ALERT_RULES_FILE,
  PrometheusApi,
  REPO_ROOT,
  prometheusConfig,
  readAlertRules,
  readAlertTestSeries,
  readDashboardQueries,
  requireTool,
  startPrometheus,
  type PrometheusServer,
  type Sample,
  type ScrapeTarget,
} from './prometheus/index.js';

/**
 * The whole stack as child processes (Kafka mode: a relay and a consumer process), every service
 * at LOG_LEVEL=debug and exporting spans to an in-test OTLP/HTTP receiver, exactly as they would
 * to a collector, and scraped every second by a real Prometheus loading the alert rules. One
 * stack serves the checks: correlation ids in every service's logs, one trace across gateway,
 * command service and projector, and every dashboard query and alert rule evaluated by
 * Prometheus on a workload with failures in it.
 */

/** Each service's metric prefix (`<service>_<thing>_<unit>`), by Prometheus job. */
const METRIC_PREFIX: Record<string, string> = {
  gateway: 'gateway_',
  'command-service': 'command_service_',
  'query-service': 'query_service_',
  projector: 'projector_',
};

/** The gateway's per-principal limit here: a small burst from one principal gets a 429. */
const RATE_LIMIT_PER_MINUTE = 10;

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
  let etcd: RunningEtcd;
  let teller: string;
  let prometheusPort: number;
  let prometheusDir: string;
  let prometheus: PrometheusServer;
  let api: PrometheusApi;

  before(async () => {
    schema = await createTestSchema('observability');
    topic = await createTestTopic('bank.events.observability', 3);
    receiver = await startOtlpReceiver();
    const telemetry = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      // Export within a fifth of a second rather than the default five.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    // Deployed as in production: services registered in etcd, gateway state in Redis.
    etcd = await startEtcd();
    stack = await startStack({
      databaseUrl: schema.url,
      kafka: { brokers: kafkaBrokers(), topic: topic.name, groupId: `${topic.name}-group` },
      jwtSecret: randomBytes(32).toString('hex'),
      projectorRoles: 'split',
      registry: { endpoints: [etcd.endpoint] },
      redisUrl: redisUrl(),
      logLevel: 'debug',
      env: {
        gateway: { ...telemetry, RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE) },
        'command-service': telemetry,
        'query-service': telemetry,
        projector: telemetry,
      },
    });
    teller = stack.mintToken('teller-obs', ['teller']);

    prometheusPort = await freePort();
    prometheusDir = mkdtempSync(join(tmpdir(), 'bank-prometheus-'));
    const targets: ScrapeTarget[] = stack.services.all.map((service) => ({
      job: service.kind,
      metricsUrl: service.metricsUrl,
    }));
    prometheus = await startPrometheus({
      binary: requireTool('prometheus', process.env),
      config: prometheusConfig({ targets, interval: '1s', ruleFiles: [ALERT_RULES_FILE] }),
      dataDir: prometheusDir,
      port: prometheusPort,
    });
    api = new PrometheusApi(prometheus.url);
  });

  after(async () => {
    await prometheus?.stop();
    if (prometheusPort) releasePorts([prometheusPort]);
    if (prometheusDir) rmSync(prometheusDir, { recursive: true, force: true });
    await stack?.stop();
    await etcd?.stop();
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
    token = teller,
  ): Promise<Response> =>
    fetch(stack.gatewayUrl + path, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
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

    const [relay, consumer] = stack.services.projectors;
    assert.ok(relay && consumer);
    const services = [
      stack.services.gateway,
      stack.services.commands[0],
      relay,
      consumer,
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
    // The consumer's line, with the command as causation.
    const applying = found[3]?.lines.find((line) => line.msg === 'applying');
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

  const get = async (path: string, token: string, headers: Record<string, string> = {}) =>
    fetch(stack.gatewayUrl + path, { headers: { authorization: `Bearer ${token}`, ...headers } });

  /**
   * One round of traffic with failures in it: a refused withdrawal (422), a burst that gets a
   * 429, and a message on the events topic that the consumer dead-letters. Each round uses
   * principals of its own, so only the burst meets the rate limit.
   */
  const driveRound = async (round: number): Promise<void> => {
    const worker = stack.mintToken(`teller-workload-${round}`, ['teller']);
    const opened = await post(
      '/v1/accounts',
      { currency: 'USD', ownerId: `customer-workload-${round}` },
      {},
      worker,
    );
    assert.equal(opened.status, 201);
    const { account, position } = (await opened.json()) as {
      account: { id: string };
      position: string;
    };
    const accountPath = `/v1/accounts/${account.id}`;
    const deposited = await post(`${accountPath}/deposits`, { amount: '10.00' }, {}, worker);
    assert.equal(deposited.status, 200);
    const refused = await post(`${accountPath}/withdrawals`, { amount: '1000.00' }, {}, worker);
    assert.equal(refused.status, 422, 'a withdrawal the balance cannot pay is refused');
    // Through the query service (waiting for the projection), then from the gateway's cache.
    const reads: Array<Record<string, string>> = [{ 'x-consistency-token': position }, {}, {}];
    for (const headers of reads) {
      const read = await get(accountPath, worker, headers);
      assert.equal(read.status, 200);
      await read.body?.cancel();
    }
    const transactions = await get(`${accountPath}/transactions`, worker);
    assert.equal(transactions.status, 200);
    await transactions.body?.cancel();

    const burster = stack.mintToken(`customer-burst-${round}`, ['customer']);
    let status = 0;
    for (let i = 0; i <= RATE_LIMIT_PER_MINUTE && status !== 429; i += 1) {
      const listed = await get('/v1/accounts', burster);
      status = listed.status;
      await listed.body?.cancel();
    }
    assert.equal(status, 429, 'a burst past the limit is throttled');

    const producer = testKafka('observability-poison').producer();
    await producer.connect();
    try {
      await producer.send({
        topic: topic.name,
        messages: [{ key: `account-poison-${round}`, value: 'not an event' }],
      });
    } finally {
      await producer.disconnect();
    }
  };

  const hasData = (samples: readonly Sample[]): boolean =>
    samples.some((sample) => Number.isFinite(sample.value));

  const alertState = async (name: string) => {
    const rule = (await api.alertRules()).find((candidate) => candidate.name === name);
    assert.ok(rule, `Prometheus has loaded ${name}`);
    return rule;
  };

  it('is scraped by Prometheus: every service, with prefixed and described metrics', async () => {
    const expected = stack.services.all.map((service) => service.metricsUrl).sort();
    await waitFor(
      async () => {
        const targets = await api.targets();
        return (
          targets.filter((target) => target.health === 'up').length === expected.length && targets
        );
      },
      { timeoutMs: 15_000, intervalMs: 200, description: 'every service scraped' },
    );
    assert.deepEqual((await api.targets()).map((target) => target.scrapeUrl).sort(), expected);

    const metadata = await api.targetMetadata();
    const jobs = new Set<string>();
    for (const { target, metric, help } of metadata) {
      const job = target['job'] ?? '';
      jobs.add(job);
      const prefix = METRIC_PREFIX[job] ?? '';
      assert.ok(metric.startsWith(prefix), `${job} exports ${metric}, not ${prefix}*`);
      assert.ok(help.trim().length > 0, `${job}: ${metric} has no help text`);
    }
    assert.deepEqual([...jobs].sort(), Object.keys(METRIC_PREFIX).sort());
  });

  it('evaluates every dashboard query to data, and fires the alerts the failures should', async () => {
    // A rate needs two scrapes that see a counter move: a round, a scrape of it, a second round.
    await driveRound(1);
    const firstRoundSeen = [
      'gateway_rate_limited_total',
      'projector_dlq_messages_total',
      'command_service_command_duration_seconds_count{outcome="INSUFFICIENT_FUNDS"}',
    ];
    await waitFor(
      async () => (await Promise.all(firstRoundSeen.map((expr) => api.query(expr)))).every(hasData),
      { timeoutMs: 30_000, intervalMs: 200, description: 'the first round scraped' },
    );
    await driveRound(2);

    const queries = readDashboardQueries();
    assert.ok(queries.length > 20, 'the dashboard has its queries');
    const withoutData = async (): Promise<string[]> => {
      const results = await Promise.all(
        queries.map(async (query) => ({ query, samples: await api.query(query.expr) })),
      );
      return results
        .filter(({ samples }) => !hasData(samples))
        .map(({ query }) => `${query.panel} [${query.legend}]: ${query.expr}`);
    };
    let missing = await withoutData(); // throws on a query Prometheus cannot evaluate
    await waitFor(
      async () => {
        missing = await withoutData();
        return missing.length === 0;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: 'data in every panel' },
    ).catch(() => undefined);
    assert.deepEqual(missing, [], 'dashboard queries without data');

    // Every alert expression evaluates on the live series, and every metric its unit tests feed
    // it is exported with those labels: the tests exercise the series the services really make.
    const rules = readAlertRules();
    for (const rule of rules) await api.query(rule.expr);
    for (const { metric, labels } of readAlertTestSeries()) {
      const live = await api.series(metric);
      assert.ok(live.length > 0, `${metric}, fed to the alert tests, is exported by no service`);
      const names = new Set(live.flatMap((series) => Object.keys(series)));
      for (const label of labels) assert.ok(names.has(label), `${metric} has no label ${label}`);
    }
    await waitFor(
      async () => (await api.alertRules()).filter((rule) => rule.health === 'ok').length,
      { timeoutMs: 10_000, intervalMs: 200, description: 'the rules evaluated' },
    );
    for (const rule of await api.alertRules()) {
      assert.notEqual(rule.health, 'err', `${rule.name}: ${rule.lastError}`);
    }
    assert.equal((await api.alertRules()).length, rules.length);

    // The dead letters page; refusals and 429s do not.
    await waitFor(async () => (await alertState('DeadLettersPresent')).state !== 'inactive', {
      timeoutMs: 15_000,
      intervalMs: 200,
      description: 'DeadLettersPresent pending or firing',
    });
    for (const name of ['HttpErrorRateHigh', 'CommandErrorRateHigh', 'UpstreamUnavailable']) {
      assert.equal((await alertState(name)).state, 'inactive', name);
    }

    // A killed consumer: ServiceDown for its instance, and the views fall behind.
    const consumer = stack.services.projectors[1];
    assert.ok(consumer);
    await consumer.kill();
    const instance = new URL(consumer.metricsUrl).host;
    await waitFor(
      async () =>
        (await alertState('ServiceDown')).alerts.some(
          (alert) => alert.labels['job'] === 'projector' && alert.labels['instance'] === instance,
        ),
      { timeoutMs: 15_000, intervalMs: 200, description: 'ServiceDown for the consumer' },
    );
    const worker = stack.mintToken('teller-after-kill', ['teller']);
    const behind = RATE_LIMIT_PER_MINUTE - 2;
    for (let i = 0; i < behind; i += 1) {
      const opened = await post('/v1/accounts', { currency: 'EUR', ownerId: 'c-lag' }, {}, worker);
      assert.equal(opened.status, 201);
    }
    const lag = 'max(projector_lag_events)';
    await waitFor(async () => ((await api.query(lag))[0]?.value ?? 0) >= behind, {
      timeoutMs: 15_000,
      intervalMs: 200,
      description: 'the lag of the views',
    });
    await screenshotGraph(lag);
  });

  /**
   * Prometheus's graph of `expr` over the last minutes, in Chromium. Kept in the test's folder,
   * or written to docs/images when BANK_DOCS_IMAGES=1 (docs/operations.md shows it).
   */
  const screenshotGraph = async (expr: string): Promise<void> => {
    const file =
      process.env['BANK_DOCS_IMAGES'] === '1'
        ? join(REPO_ROOT, 'docs/images/prometheus-lag-graph.png')
        : join(prometheusDir, 'lag-graph.png');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 820 } });
      const query = new URLSearchParams({ 'g0.expr': expr, 'g0.tab': '0', 'g0.range_input': '2m' });
      await page.goto(`${prometheus.url}/graph?${query.toString()}`);
      // The classic UI draws the series as an SVG path once the range query has answered.
      await page.waitForSelector('.rickshaw_graph svg path', { timeout: 15_000 });
      await page.screenshot({ path: file });
    } finally {
      await browser.close();
    }
    assert.ok(statSync(file).size > 10_000, `${file} looks blank`);
  };
});
