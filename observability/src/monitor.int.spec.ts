import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  let stateDir: string;

  before(async () => {
    ports = await freePorts(5);
    dataDir = mkdtempSync(join(tmpdir(), 'bank-monitor-'));
    stateDir = mkdtempSync(join(tmpdir(), 'bank-monitor-state-'));
  });

  after(() => {
    releasePorts(ports);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** The state file `npm start` writes, as if this test process were it (its pid is alive). */
  function writeStackState(gatewayPort: number, metricsPorts: readonly number[]): void {
    const [command, projector, query] = metricsPorts;
    writeFileSync(
      join(stateDir, 'state.json'),
      JSON.stringify({
        format: 'bank-state/1',
        pid: process.pid,
        startedAt: new Date().toISOString(),
        status: 'ready',
        databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
        embeddedPostgres: null,
        eventStoreConnectionString: null,
        kafkaBrokers: [],
        gateway: { url: `http://127.0.0.1:${gatewayPort}`, host: '127.0.0.1', port: gatewayPort },
        services: {
          'command-service': { pid: null, metricsPort: command, restarts: 0 },
          projector: { pid: null, metricsPort: projector, restarts: 0 },
          'query-service': { pid: null, metricsPort: query, restarts: 0 },
          gateway: { pid: null, metricsPort: gatewayPort, restarts: 0 },
        },
      }),
    );
  }

  it('starts Prometheus on the stack of `npm start`, with the alert rules, and stops it on Ctrl-C', async () => {
    const [prometheusPort, gatewayPort, ...metricsPorts] = ports as [number, number, number];
    writeStackState(gatewayPort, metricsPorts);
    const monitor = await startProcess(
      process.execPath,
      [MONITOR],
      {
        PROMETHEUS_PORT: String(prometheusPort),
        PROMETHEUS_DATA_DIR: dataDir,
        BANK_STATE_DIR: stateDir,
      },
      /Ctrl-C stops Prometheus/,
      { timeoutMs: 60_000 },
    );
    const url = `http://127.0.0.1:${prometheusPort}`;
    try {
      assert.match(monitor.output, new RegExp(`Prometheus ${url} \\(data in ${dataDir}\\)`));
      assert.match(monitor.output, /lag graph http:\/\/127\.0\.0\.1:\d+\/graph\?g0\.expr=max/);
      const api = new PrometheusApi(url);
      // The ports the state file of `npm start` records.
      assert.deepEqual(
        (await api.targets()).map((target) => target.scrapeUrl).sort(),
        [gatewayPort, ...metricsPorts].map((port) => `http://127.0.0.1:${port}/metrics`).sort(),
      );
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

  it('says that no `npm start` runs when there is no state file', () => {
    const run = spawnSync(process.execPath, [MONITOR], {
      env: {
        ...process.env,
        BANK_STATE_DIR: join(stateDir, 'nothing-here'),
        PROMETHEUS_DATA_DIR: dataDir,
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /no running `npm start` found .*state\.json\): start it first/);
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
