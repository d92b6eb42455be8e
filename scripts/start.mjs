#!/usr/bin/env node
// Runs the whole system on one machine: PostgreSQL (DATABASE_URL, else an embedded server with
// its data in .bank/postgres of the checkout), the event store (EventStoreDB when
// EVENTSTORE_CONNECTION_STRING is set, else the PostgreSQL event store), Kafka when
// KAFKA_BROKERS is set (else the projector's embedded mode), then the command service,
// projector, query service and gateway as child processes. It waits until every one is ready,
// records where everything runs in .bank/state.json (the `bank` CLI and `npm run monitor` read
// it), prints where to go, restarts a service that crashes, and stops everything on Ctrl-C.
//
// Every child runs in its own process group, so the terminal's Ctrl-C reaches only this script,
// which gives each service one SIGTERM and its grace period; a second Ctrl-C kills them.
//
//   PORT, HOST                       the gateway (default 127.0.0.1:8080)
//   COMMAND_GRPC_PORT, QUERY_GRPC_PORT                       (default 50051, 50052)
//   COMMAND_METRICS_PORT, PROJECTOR_METRICS_PORT, QUERY_METRICS_PORT (default 9464, 9465, 9466)
//   EMBEDDED_POSTGRES_PORT           the embedded PostgreSQL (default 54329)
//   BANK_POSTGRES_DIR                its data (default <state folder>/postgres)
//   BANK_STATE_DIR                   the state folder (default .bank of the checkout)
//   BANK_RESTART_LIMIT, BANK_RESTART_WINDOW_MS   a service crashing more than this many times
//                                    within this window stops everything (default 5 in 60000)
//   BANK_LOGS=quiet                  hide the services' stdout
import { execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const {
  STACK_STATE_FORMAT,
  lookUpStackState,
  processAlive,
  redactUrl,
  removeStackState,
  stateDir,
  writeStackState,
} = await import(join(root, 'ops/dist/stack-state.js'));

const started = Date.now();
const env = { ...process.env };
/** How long the development tokens printed in the banner are valid. */
const DEV_TOKEN_TTL_SECONDS = 3600;
/** The gateway's limits under `npm start` unless set or NODE_ENV=production: a polling loop fits. */
const DEV_RATE_LIMITS = { RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_IP_PER_MINUTE: '120000' };
/** A restarted service waits this long after its first crash, doubling up to the maximum. */
const RESTART_BACKOFF_MS = { first: 500, max: 10_000 };

function log(message) {
  process.stdout.write(`[bank] ${message}\n`);
}

function fail(message, code = 2) {
  log(message);
  process.exit(code);
}

function portSetting(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^[0-9]+$/.test(raw) || port < 1 || port > 65535)
    fail(`${name} must be a port number (1-65535), not ${JSON.stringify(raw)}`);
  return port;
}

function intSetting(name, fallback, min) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min)
    fail(`${name} must be an integer of at least ${min}, not ${JSON.stringify(raw)}`);
  return Number(raw);
}

const ports = {
  gateway: portSetting('PORT', 8080),
  commandGrpc: portSetting('COMMAND_GRPC_PORT', 50051),
  queryGrpc: portSetting('QUERY_GRPC_PORT', 50052),
  commandMetrics: portSetting('COMMAND_METRICS_PORT', 9464),
  projectorMetrics: portSetting('PROJECTOR_METRICS_PORT', 9465),
  queryMetrics: portSetting('QUERY_METRICS_PORT', 9466),
  postgres: portSetting('EMBEDDED_POSTGRES_PORT', 54329),
};
const host = env.HOST ?? '127.0.0.1';
const restartLimit = intSetting('BANK_RESTART_LIMIT', 5, 0);
const restartWindowMs = intSetting('BANK_RESTART_WINDOW_MS', 60_000, 1);
/** The services' own grace period, plus time to exit, before a service that hangs is killed. */
const stopBackstopMs = intSetting('SHUTDOWN_GRACE_MS', 10_000, 0) + 10_000;
const gatewayUrl = `http://${host}:${ports.gateway}`;

/** A back-end service: its metrics port serves /readyz; gRPC services also get GRPC_PORT. */
function backend(name, metricsPort, grpcPort) {
  return {
    name,
    entry: `${name}/dist/main.js`,
    env: {
      METRICS_PORT: String(metricsPort),
      ...(grpcPort ? { GRPC_PORT: String(grpcPort) } : {}),
    },
    readyUrl: `http://127.0.0.1:${metricsPort}/readyz`,
    metricsPort,
    grpcPort,
  };
}

/** The services, in start order; stopped in reverse (the gateway first, while its upstreams serve). */
const services = [
  backend('command-service', ports.commandMetrics, ports.commandGrpc),
  backend('projector', ports.projectorMetrics),
  backend('query-service', ports.queryMetrics, ports.queryGrpc),
  {
    name: 'gateway',
    entry: 'gateway/dist/main.js',
    env: {
      PORT: String(ports.gateway),
      HOST: host,
      COMMAND_SERVICE_ADDRESS: env.COMMAND_SERVICE_ADDRESS ?? `127.0.0.1:${ports.commandGrpc}`,
      QUERY_SERVICE_ADDRESS: env.QUERY_SERVICE_ADDRESS ?? `127.0.0.1:${ports.queryGrpc}`,
      ...(env.NODE_ENV === 'production'
        ? {}
        : Object.fromEntries(
            Object.entries(DEV_RATE_LIMITS).map(([name, value]) => [name, env[name] || value]),
          )),
    },
    readyUrl: `${gatewayUrl}/readyz`,
    metricsPort: ports.gateway,
  },
].map((service) => ({ ...service, child: undefined, ready: false, crashes: [], restarts: 0 }));

let postgres; // { child, dataDir, port } when this script runs its own PostgreSQL server
let stopping = false;
let forced = false;

/** The state file's content: everything the CLI and the monitor need to find this stack. */
const state = {
  format: STACK_STATE_FORMAT,
  pid: process.pid,
  command: process.argv[1],
  startedAt: new Date(started).toISOString(),
  status: 'starting',
  databaseUrl: null,
  embeddedPostgres: null,
  eventStoreConnectionString: env.EVENTSTORE_CONNECTION_STRING || null,
  kafkaBrokers: (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean),
  gateway: { url: gatewayUrl, host, port: ports.gateway },
  services: {},
};

function saveState() {
  state.services = Object.fromEntries(
    services.map((s) => [
      s.name,
      {
        pid: s.child?.pid ?? null,
        metricsPort: s.metricsPort,
        ...(s.grpcPort ? { grpcPort: s.grpcPort } : {}),
        restarts: s.restarts,
      },
    ]),
  );
  if (postgres)
    state.embeddedPostgres = {
      dataDir: postgres.dataDir,
      port: postgres.port,
      pid: postgres.child.pid,
    };
  writeStackState(state, env);
}

/** Refuses to start a second stack on the same state folder; replaces a crashed one's file. */
async function claimStateFile() {
  const found = lookUpStackState(env);
  if (found.kind === 'running') {
    const other = found.state;
    log(`already running: pid ${other.pid}, started ${other.startedAt} (${other.status})`);
    log(`  gateway   ${other.gateway.url}`);
    if (other.databaseUrl) log(`  database  ${redactUrl(other.databaseUrl)}`);
    log(`  state     ${found.file}`);
    log(`stop it first (Ctrl-C in its terminal, or kill -INT ${other.pid}), or run a second stack`);
    log('with another BANK_STATE_DIR and other ports (see the README)');
    process.exit(1);
  }
  if (found.kind === 'stale') {
    log(`replacing ${found.file}: the npm start that wrote it (pid ${found.state.pid}) is gone`);
    await stopLeftPostgres(found.state.embeddedPostgres);
    // Its services stop by themselves once it is gone (scripts/exit-with-parent.mjs), within
    // their grace period: they hold the ports until then.
    for (const [name, s] of Object.entries(found.state.services ?? {})) {
      if (!Number.isInteger(s.pid) || !processAlive(s.pid)) continue;
      log(`  waiting for its ${name} (pid ${s.pid}) to stop`);
      if (!(await exitedWithin(s.pid, stopBackstopMs)))
        log(
          `  its ${name} (pid ${s.pid}) still runs: if it is the bank's, stop it with kill ${s.pid}`,
        );
    }
  } else if (found.kind === 'unreadable') {
    log(`replacing ${found.file}: ${found.reason}`);
  }
  saveState();
}

/**
 * A crashed start.mjs leaves its PostgreSQL server running (it has a process group of its own):
 * stopped here when postmaster.pid of the recorded data folder still names that pid.
 */
async function stopLeftPostgres(left) {
  if (!left?.pid || !processAlive(left.pid)) return;
  let owner;
  try {
    owner = Number(readFileSync(join(left.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (owner !== left.pid) return;
  log(`  stopping its PostgreSQL server (pid ${left.pid}, data in ${left.dataDir})`);
  process.kill(left.pid, 'SIGINT');
  await exitedWithin(left.pid, 30_000);
}

async function exitedWithin(pid, ms) {
  const deadline = Date.now() + ms;
  while (processAlive(pid) && Date.now() < deadline)
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  return !processAlive(pid);
}

async function startPostgres() {
  if (env.DATABASE_URL) {
    log(`PostgreSQL: ${redactUrl(env.DATABASE_URL)}`);
    return env.DATABASE_URL;
  }
  const dataDir = resolve(env.BANK_POSTGRES_DIR || join(stateDir(env), 'postgres'));
  const binaries = await postgresBinaries();
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`PostgreSQL: first start, creating its data folder ${dataDir}`);
    await initialiseCluster(binaries, dataDir);
    postgres = { child: await spawnPostgres(binaries, dataDir), dataDir, port: ports.postgres };
    await createDatabase('bank');
  } else {
    postgres = { child: await spawnPostgres(binaries, dataDir), dataDir, port: ports.postgres };
  }
  const url = `postgres://postgres:postgres@127.0.0.1:${ports.postgres}/bank`;
  log(`PostgreSQL: embedded on port ${ports.postgres}, data in ${dataDir} (kept across runs)`);
  return url;
}

async function createDatabase(name) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${ports.postgres}/postgres`,
  });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * The PostgreSQL binaries of embedded-postgres (its platform package), run here rather than
 * through embedded-postgres: that module's exit hook ends the process on the first SIGINT, and
 * the server it starts shares the terminal's process group, so Ctrl-C would shut the database
 * down under the services while they finish their work. PostgreSQL refuses to run as root:
 * then it runs as the postgres user, which owns its data folder.
 */
async function postgresBinaries() {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const { initdb, postgres: server } = await import(
    `@embedded-postgres/${platform}-${process.arch}`
  );
  const ids =
    process.getuid?.() === 0
      ? {
          uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
          gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
        }
      : {};
  return { initdb, server, ids };
}

/** initdb with the user postgres, password postgres (a development database). */
async function initialiseCluster({ initdb, ids }, dataDir) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined) chownSync(dataDir, ids.uid, ids.gid);
  const scratch = mkdtempSync(join(tmpdir(), 'bank-initdb-'));
  const passwordFile = join(scratch, 'password');
  writeFileSync(passwordFile, 'postgres\n', { mode: 0o644 });
  if (ids.uid !== undefined) chownSync(scratch, ids.uid, ids.gid);
  try {
    execFileSync(
      initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=password',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...ids, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    throw new Error(`initdb failed: ${String(error.stderr ?? error.message).trim()}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The server, in a process group of its own; resolves once it accepts connections. */
async function spawnPostgres({ server, ids }, dataDir) {
  const child = spawn(server, ['-D', dataDir, '-p', String(ports.postgres)], {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  let output = '';
  await new Promise((resolveReady, reject) => {
    child.stderr.on('data', (chunk) => {
      output = (output + chunk).slice(-4000);
      if (output.includes('database system is ready to accept connections')) resolveReady();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`embedded PostgreSQL exited (${signal ?? code}): ${output.trim()}`)),
    );
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(`embedded PostgreSQL exited (${signal ?? code}); stopping everything`);
      void stop(1);
    }
  });
  return child;
}

function spawnService(service) {
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--import',
      join(root, 'scripts/exit-with-parent.mjs'),
      join(root, service.entry),
    ],
    { env: { ...env, ...service.env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  const prefix = (line) => `${service.name.padEnd(15)}| ${line}\n`;
  const forward = (stream, target) => {
    let buffer = '';
    stream.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        target.write(prefix(buffer.slice(0, newline)));
        buffer = buffer.slice(newline + 1);
      }
    });
  };
  if (env.BANK_LOGS !== 'quiet') forward(child.stdout, process.stdout);
  else child.stdout.resume();
  forward(child.stderr, process.stderr);
  child.on('exit', (code, signal) => onServiceExit(service, child, signal ?? `code ${code}`));
  service.child = child;
  saveState();
  return child;
}

/** A service that was ready and died is restarted with backoff; one that keeps dying stops all. */
function onServiceExit(service, child, how) {
  if (service.child === child) service.child = undefined;
  if (stopping) return;
  if (!service.ready) {
    log(`${service.name} exited (${how}) before it was ready; stopping everything`);
    void stop(1);
    return;
  }
  const now = Date.now();
  service.crashes = service.crashes.filter((at) => now - at < restartWindowMs);
  service.crashes.push(now);
  const window = `${restartWindowMs / 1000} s`;
  if (service.crashes.length > restartLimit) {
    log(
      `${service.name} exited (${how}): ${service.crashes.length} crashes within ${window}; stopping everything`,
    );
    void stop(1);
    return;
  }
  const delay = Math.min(
    RESTART_BACKOFF_MS.max,
    RESTART_BACKOFF_MS.first * 2 ** (service.crashes.length - 1),
  );
  log(
    `${service.name} exited unexpectedly (${how}); restarting it in ${delay} ms ` +
      `(crash ${service.crashes.length} of at most ${restartLimit} within ${window}; the others keep serving)`,
  );
  saveState();
  service.restartTimer = setTimeout(() => {
    service.restartTimer = undefined;
    if (stopping) return;
    service.restarts += 1;
    const restarted = spawnService(service);
    waitReady(service, restarted)
      .then(async () => {
        // The gateway reconnects on its own backoff: ready again when its /readyz says so.
        const gateway = services.find((s) => s.name === 'gateway');
        if (service !== gateway && gateway.child) await waitReady(gateway, gateway.child, 30_000);
        log(`${service.name} restarted (pid ${restarted.pid}) and ready; the gateway reaches it`);
      })
      .catch(() => {}); // it died again: its exit is handled above
  }, delay);
}

/** Polls the service's /readyz until it answers 200; fails when that child exits meanwhile. */
async function waitReady(service, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopped while starting');
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${service.name} exited`);
    try {
      const response = await fetch(service.readyUrl);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  throw new Error(
    `${service.name} was not ready at ${service.readyUrl} within ${timeoutMs / 1000} s`,
  );
}

async function startService(service) {
  const child = spawnService(service);
  await waitReady(service, child);
  service.ready = true;
}

/** One SIGTERM; a backstop kills a service that has not exited long after its grace period. */
function terminate(service) {
  const child = service.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => {
    const backstop = setTimeout(() => {
      log(`${service.name} still runs ${stopBackstopMs / 1000} s after SIGTERM; killing it`);
      child.kill('SIGKILL');
    }, stopBackstopMs);
    child.once('exit', () => {
      clearTimeout(backstop);
      resolveExit();
    });
    child.kill('SIGTERM');
  });
}

async function stopPostgres() {
  const child = postgres?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolveExit) => {
    child.once('exit', resolveExit);
    child.kill(forced ? 'SIGQUIT' : 'SIGINT'); // immediate, else fast shutdown
  });
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  state.status = 'stopping';
  saveState();
  log('stopping: each service finishes its work within its grace period (Ctrl-C again forces)');
  for (const service of services) clearTimeout(service.restartTimer);
  const gateway = services.find((s) => s.name === 'gateway');
  await terminate(gateway);
  await Promise.all(services.filter((s) => s !== gateway).map(terminate));
  await stopPostgres();
  removeStackState(env);
  log('stopped');
  process.exit(code);
}

function force() {
  if (forced) return;
  forced = true;
  log('second signal: killing every service now');
  for (const service of services) service.child?.kill('SIGKILL');
  postgres?.child.kill('SIGQUIT');
}

/** A token signed the way the gateway verifies it when no key is configured (development). */
async function mintToken(sub, roles) {
  const { mintDevelopmentToken } = await import(join(root, 'packages/platform/dist/index.js'));
  return mintDevelopmentToken({
    sub,
    roles,
    ...(env.JWT_SECRET ? { secret: env.JWT_SECRET } : {}),
    ...(env.JWT_ISSUER ? { issuer: env.JWT_ISSUER } : {}),
    ...(env.JWT_AUDIENCE ? { audience: env.JWT_AUDIENCE } : {}),
    ttlSeconds: DEV_TOKEN_TTL_SECONDS,
  });
}

/**
 * Internal gRPC is mTLS: without GRPC_TLS_* files (or GRPC_INSECURE) configured, a development
 * CA and a certificate for every service are made on first run in the state folder.
 */
async function ensureCertificates() {
  const names = ['GRPC_INSECURE', 'GRPC_TLS_CA_FILE', 'GRPC_TLS_CERT_FILE', 'GRPC_TLS_KEY_FILE'];
  if (names.some((name) => env[name])) return;
  const { ensureDevelopmentCertificates, tlsEnv } = await import(
    join(root, 'packages/platform/dist/dev-certificates.js')
  );
  const dir = join(stateDir(env), 'tls');
  Object.assign(env, tlsEnv(await ensureDevelopmentCertificates(dir)));
  log(`mTLS      internal gRPC on the development CA in ${dir}`);
}

async function main() {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => (stopping ? force() : void stop(0)));
  }
  await claimStateFile();

  env.DATABASE_URL = await startPostgres();
  state.databaseUrl = env.DATABASE_URL;
  saveState();
  env.LOG_LEVEL ??= 'info';
  await ensureCertificates();
  log(
    `event store: ${env.EVENTSTORE_CONNECTION_STRING ? 'EventStoreDB' : 'PostgreSQL'}; ` +
      `projector: ${env.KAFKA_BROKERS ? `Kafka at ${env.KAFKA_BROKERS}` : 'embedded (no KAFKA_BROKERS)'}`,
  );

  const gateway = services.find((s) => s.name === 'gateway');
  await Promise.all(services.filter((s) => s !== gateway).map(startService));
  await startService(gateway);
  state.status = 'ready';
  saveState();

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  log(`ready in ${seconds} s`);
  log(`gateway   ${gatewayUrl}`);
  log(`API docs  ${gatewayUrl}/docs   (OpenAPI: ${gatewayUrl}/openapi.json)`);
  log(
    `metrics   ${gatewayUrl}/metrics, services on :${ports.commandMetrics} :${ports.projectorMetrics} :${ports.queryMetrics}`,
  );
  log(`database  ${redactUrl(env.DATABASE_URL)} (the bank CLI finds it: npx bank status)`);
  log(`state     ${join(stateDir(env), 'state.json')}`);
  if (env.NODE_ENV !== 'production') {
    const limits = services.find((s) => s.name === 'gateway').env;
    log(
      `limits    ${limits.RATE_LIMIT_PER_MINUTE}/min per principal, ${limits.RATE_LIMIT_IP_PER_MINUTE}/min per IP (development)`,
    );
  }
  if (!env.JWT_PUBLIC_KEY_FILE && !env.JWT_JWKS_FILE) {
    const expires = new Date(Date.now() + DEV_TOKEN_TTL_SECONDS * 1000).toISOString();
    log(`a teller token:   ${await mintToken('teller-1', ['teller'])}`);
    log(`a customer token: ${await mintToken('customer-1', ['customer'])}`);
    log(`tokens valid for ${DEV_TOKEN_TTL_SECONDS / 60} min, until ${expires}`);
    log('more: npm run token -- --sub <id> --role <customer|teller|admin> [--ttl <seconds>]');
  }
  log('Ctrl-C stops everything (a second Ctrl-C forces)');
}

main().catch((error) => {
  if (stopping) return; // Ctrl-C while starting
  const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
  log(`start failed: ${reason}`);
  void stop(1);
});
