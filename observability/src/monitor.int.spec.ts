import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePorts, isPortFree, releasePorts, startProcess, waitFor } from '@bank/testkit';
import { PrometheusApi, REPO_ROOT, readAlertRules } from './prometheus/index.js';

/** `npm run monitor` (scripts/monitor.mjs) as an operator runs it, next to `npm start`. */

const MONITOR = join(REPO_ROOT, 'scripts/monitor.mjs');

describe('npm run monitor', () => {
  let ports: number[];
  let dataDir: string;

  before(async () => {
    ports = await freePorts(2);
    dataDir = mkdtempSync(join(tmpdir(), 'bank-monitor-'));
  });

  after(() => {
    releasePorts(ports);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts Prometheus on the stack of `npm start`, with the alert rules, and stops it on Ctrl-C', async () => {
    const [prometheusPort, gatewayPort] = ports as [number, number];
    const monitor = await startProcess(
      process.execPath,
      [MONITOR],
      {
        PROMETHEUS_PORT: String(prometheusPort),
        PROMETHEUS_DATA_DIR: dataDir,
        PORT: String(gatewayPort),
      },
      /Ctrl-C stops Prometheus/,
      { timeoutMs: 60_000 },
    );
    const url = `http://127.0.0.1:${prometheusPort}`;
    try {
      assert.match(monitor.output, new RegExp(`Prometheus ${url} \\(data in ${dataDir}\\)`));
      assert.match(monitor.output, /lag graph http:\/\/127\.0\.0\.1:\d+\/graph\?g0\.expr=max/);
      const api = new PrometheusApi(url);
      // The ports scripts/start.mjs gives its services, the gateway's from PORT.
      assert.deepEqual((await api.targets()).map((target) => target.scrapeUrl).sort(), [
        `http://127.0.0.1:${gatewayPort}/metrics`,
        'http://127.0.0.1:9464/metrics',
        'http://127.0.0.1:9465/metrics',
        'http://127.0.0.1:9466/metrics',
      ]);
      assert.deepEqual(
        (await api.alertRules()).map((rule) => rule.name).sort(),
        readAlertRules()
          .map((rule) => rule.alert)
          .sort(),
      );
      // Nothing listens on the gateway port here, and the operator is told so.
      assert.match(
        monitor.output,
        new RegExp(`not reached: gateway http://127.0.0.1:${gatewayPort}`),
      );
    } finally {
      await monitor.kill('SIGINT');
    }
    await waitFor(() => isPortFree(prometheusPort), {
      timeoutMs: 15_000,
      description: 'Prometheus stopped with the monitor',
    });
    assert.match(monitor.output, /stopping Prometheus/);
  });

  it('says how to install Prometheus when it is missing', () => {
    const run = spawnSync(process.execPath, [MONITOR], {
      env: {
        ...process.env,
        PROMETHEUS_BIN: '',
        PATH: '/nonexistent',
        PROMETHEUS_DATA_DIR: dataDir,
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /Prometheus is not installed: .*apt-get install prometheus/);
  });
});
