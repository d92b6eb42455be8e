#!/usr/bin/env node
// Watches the system `npm start` runs: starts a Prometheus of its own (Debian's `prometheus`
// package) that scrapes every service with the alert rules of deploy/prometheus/alerts.yml,
// prints where to look, and stops it on Ctrl-C. Run it next to `npm start`: `npm run monitor`.
//
//   PROMETHEUS_PORT      where Prometheus listens, on 127.0.0.1 (default 9090)
//   PROMETHEUS_DATA_DIR  its configuration and samples, kept across runs (default .bank/prometheus)
//   PROMETHEUS_BIN       the prometheus binary (default: the one on PATH)
//   BANK_STATE_DIR       where `npm start` keeps its state file (default .bank of the checkout):
//                        the gateway's and the services' metrics addresses come from it
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const {
  ALERT_RULES_FILE,
  INSTALL_HINT,
  PrometheusApi,
  findTool,
  prometheusConfig,
  startPrometheus,
} = await import(join(root, 'observability/dist/prometheus/index.js'));
const { lookUpStackState } = await import(join(root, 'ops/dist/stack-state.js'));

/** Scrape and rule evaluation interval: a graph of the last minutes has points to show. */
const INTERVAL = '5s';

function log(message) {
  process.stdout.write(`[monitor] ${message}\n`);
}

/** The Prometheus this script started, stopped on every way out. */
let prometheus;

function fail(message) {
  log(message);
  void Promise.resolve(prometheus?.stop()).finally(() => process.exit(1));
}

function readSettings(env) {
  const port = Number(env.PROMETHEUS_PORT ?? 9090);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    log(
      `PROMETHEUS_PORT must be a port number (1-65535), not ${JSON.stringify(env.PROMETHEUS_PORT)}`,
    );
    process.exit(2);
  }
  return {
    port,
    dataDir: env.PROMETHEUS_DATA_DIR || join(root, '.bank', 'prometheus'),
    binary: findTool('prometheus', env),
  };
}

/**
 * Where the system `npm start` runs serves its metrics, from the state file it keeps
 * (.bank/state.json of the checkout, or BANK_STATE_DIR): the gateway and every service's
 * metrics port.
 */
function runningStackTargets(env) {
  const found = lookUpStackState(env);
  if (found.kind !== 'running') {
    const why =
      found.kind === 'stale'
        ? `${found.file} is left from an npm start (pid ${found.state.pid}) that no longer runs`
        : found.kind === 'unreadable'
          ? `${found.file} is unreadable: ${found.reason}`
          : `no ${found.file}`;
    return { error: `no running \`npm start\` found (${why}): start it first` };
  }
  const { gateway, services } = found.state;
  const gatewayHost = ['0.0.0.0', '::'].includes(gateway.host) ? '127.0.0.1' : gateway.host;
  return {
    targets: [
      { job: 'gateway', metricsUrl: `http://${gatewayHost}:${gateway.port}/metrics` },
      ...Object.entries(services)
        .filter(([job]) => job !== 'gateway')
        .map(([job, service]) => ({
          job,
          metricsUrl: `http://127.0.0.1:${service.metricsPort}/metrics`,
        })),
    ],
  };
}

/** Says once which services the first scrapes reached, so a stack that is not up shows. */
async function reportTargets(api, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let targets = [];
  while (Date.now() < deadline) {
    targets = await api.targets().catch(() => []);
    if (targets.length > 0 && targets.every((target) => target.health !== 'unknown')) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const down = targets.filter((target) => target.health !== 'up');
  if (down.length === 0) {
    log(`every service answers (${targets.length} targets up)`);
    return;
  }
  for (const target of down) {
    log(`not reached: ${target.job} ${target.scrapeUrl} ${target.lastError ?? ''}`.trimEnd());
  }
  log('is `npm start` running? Prometheus keeps trying every interval');
}

async function main() {
  const settings = readSettings(process.env);
  if (!settings.binary) return fail(`Prometheus is not installed: ${INSTALL_HINT}`);
  const { targets, error } = runningStackTargets(process.env);
  if (error) return fail(error);
  try {
    prometheus = await startPrometheus({
      binary: settings.binary,
      config: prometheusConfig({ targets, interval: INTERVAL, ruleFiles: [ALERT_RULES_FILE] }),
      dataDir: settings.dataDir,
      port: settings.port,
    });
  } catch (error) {
    return fail(
      `Prometheus did not start (another one on port ${settings.port}? set PROMETHEUS_PORT): ` +
        error.message,
    );
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping Prometheus');
    await prometheus.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  void prometheus.exited.then((code) => {
    if (stopping) return;
    prometheus = undefined;
    log(`Prometheus exited (${code}):\n${prometheus.output().slice(-2000)}`);
    process.exit(1);
  });

  const url = prometheus.url;
  log(`Prometheus ${url} (data in ${settings.dataDir}), scraping every ${INTERVAL}:`);
  for (const target of targets) log(`  ${target.job.padEnd(16)}${target.metricsUrl}`);
  const lag = new URLSearchParams({
    'g0.expr': 'max(projector_lag_events)',
    'g0.tab': '0',
    'g0.range_input': '15m',
  });
  log(`alerts    ${url}/alerts`);
  log(`lag graph ${url}/graph?${lag.toString()}`);
  log(`targets   ${url}/targets`);
  await reportTargets(new PrometheusApi(url), 15_000);
  log('Ctrl-C stops Prometheus');
}

main().catch((error) => fail(`monitor failed: ${error instanceof Error ? error.message : error}`));
