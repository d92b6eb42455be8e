#!/usr/bin/env node
// A real single-node Apache Kafka (KRaft, broker + controller in one JVM) for local tests,
// run from the Maven Central jars in infra/kafka/lib (no Docker engine on these machines).
//
//   node infra/kafka/kafka.mjs up       start (or reuse) the broker and keep it running
//   node infra/kafka/kafka.mjs down     stop the broker started here (refuses while test runs use it)
//   node infra/kafka/kafka.mjs status   say whether a broker answers
//
// scripts/test.mjs uses acquireKafka()/release() instead: every user holds a lease in
// .infra/kafka/leases, and the last one out stops a broker that this script started. A broker
// that answers but was not started here is reused and never stopped. KAFKA_BROKERS, when set,
// names an existing cluster and this script does nothing.
//
// Environment: KAFKA_BROKERS, KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093),
// KAFKA_HEAP (512m), KAFKA_START_TIMEOUT_MS (60000), KAFKA_STATE_DIR (<repo>/.infra/kafka).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
// kafkajs is a dependency of the testkit workspace; resolve it from there.
const requireFromTestkit = createRequire(join(root, 'packages', 'testkit', 'package.json'));

const HOST = '127.0.0.1';

export function kafkaSettings(env = process.env) {
  const port = Number(env.KAFKA_PORT ?? 19092);
  const controllerPort = Number(env.KAFKA_CONTROLLER_PORT ?? 19093);
  const stateDir = env.KAFKA_STATE_DIR ?? join(root, '.infra', 'kafka');
  return {
    port,
    controllerPort,
    brokers: `${HOST}:${port}`,
    heap: env.KAFKA_HEAP ?? '512m',
    startTimeoutMs: Number(env.KAFKA_START_TIMEOUT_MS ?? 60_000),
    libDir: join(here, 'lib'),
    stateDir,
    dataDir: join(stateDir, 'data'),
    propertiesFile: join(stateDir, 'server.properties'),
    log4jFile: join(stateDir, 'log4j2.properties'),
    logFile: join(stateDir, 'broker.log'),
    pidFile: join(stateDir, 'broker.pid'),
    leaseDir: join(stateDir, 'leases'),
    lockDir: join(stateDir, 'lock'),
  };
}

const MANUAL_LEASE = 'manual';

/**
 * Makes sure a broker answers and registers the caller as one of its users.
 * Returns { brokers, started, coldStartMs, release() }; release() stops the broker when the
 * caller was its last user and the broker was started by this script.
 */
export async function acquireKafka({ log = defaultLog, lease = String(process.pid) } = {}) {
  if (process.env.KAFKA_BROKERS) {
    log(`kafka: using KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
    if (!(await isAnswering(process.env.KAFKA_BROKERS, 10_000))) {
      throw new Error(
        `kafka: no broker answers at KAFKA_BROKERS=${process.env.KAFKA_BROKERS}. ` +
          'Unset it to have a local broker started, or start that cluster.',
      );
    }
    return {
      brokers: process.env.KAFKA_BROKERS,
      started: false,
      coldStartMs: 0,
      release: async () => {},
    };
  }
  const s = kafkaSettings();
  mkdirSync(s.leaseDir, { recursive: true });
  const result = await withLock(s, async () => {
    writeFileSync(join(s.leaseDir, lease), `${new Date().toISOString()}\n`);
    if (await isAnswering(s.brokers)) {
      log(`kafka: reusing the broker answering at ${s.brokers}`);
      return { started: false, coldStartMs: 0 };
    }
    try {
      const coldStartMs = await startBroker(s, log);
      return { started: true, coldStartMs };
    } catch (error) {
      rmSync(join(s.leaseDir, lease), { force: true });
      throw error;
    }
  });
  let released = false;
  return {
    brokers: s.brokers,
    ...result,
    async release() {
      if (released) return;
      released = true;
      await withLock(s, async () => {
        rmSync(join(s.leaseDir, lease), { force: true });
        const others = liveLeases(s);
        if (others.length > 0) {
          log(
            `kafka: leaving the broker running for ${others.length} other user(s): ${others.join(', ')}`,
          );
          return;
        }
        await stopBroker(s, log);
      });
    },
  };
}

/** `up`: start or reuse the broker and keep it running until `down`. */
export async function up({ log = defaultLog } = {}) {
  if (process.env.KAFKA_BROKERS) {
    log(`kafka: KAFKA_BROKERS=${process.env.KAFKA_BROKERS} is set; nothing to start`);
    return process.env.KAFKA_BROKERS;
  }
  const kafka = await acquireKafka({ log, lease: MANUAL_LEASE });
  log(`kafka: up at ${kafka.brokers} (export KAFKA_BROKERS=${kafka.brokers})`);
  return kafka.brokers;
}

/** `down`: stop the broker started here, unless test runs still hold leases (force overrides). */
export async function down({ log = defaultLog, force = false } = {}) {
  if (process.env.KAFKA_BROKERS) {
    log(`kafka: KAFKA_BROKERS=${process.env.KAFKA_BROKERS} is set; nothing to stop`);
    return;
  }
  const s = kafkaSettings();
  mkdirSync(s.stateDir, { recursive: true });
  await withLock(s, async () => {
    rmSync(join(s.leaseDir, MANUAL_LEASE), { force: true });
    const others = liveLeases(s);
    if (others.length > 0 && !force) {
      throw new Error(
        `kafka: not stopping: running test processes still use the broker (pids ${others.join(', ')}). ` +
          'It stops when the last one ends; use `down --force` to stop it now.',
      );
    }
    for (const lease of others) rmSync(join(s.leaseDir, lease), { force: true });
    await stopBroker(s, log);
  });
}

/**
 * Restarts the broker started here **keeping its log directory** (topics, offsets, producer
 * state), as a real broker restart would: `signal` (SIGTERM: clean shutdown; SIGKILL: a crash),
 * wait `downMs`, start the same JVM on the same data. For fault-injection runs on their own
 * broker (KAFKA_PORT / KAFKA_CONTROLLER_PORT / KAFKA_STATE_DIR); refuses a broker it did not start.
 */
export async function restartBroker({
  log = defaultLog,
  signal: sig = 'SIGTERM',
  downMs = 0,
} = {}) {
  const s = kafkaSettings();
  await withLock(s, async () => {
    const pid = ourBrokerPid(s);
    if (pid === null) throw new Error(`kafka: no broker started here is running at ${s.brokers}`);
    log(`kafka: restart: ${sig} to broker pid ${pid}`);
    signal(pid, sig);
    const deadline = Date.now() + 30_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) {
      signal(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(100);
    }
    if (downMs > 0) await sleep(downMs);
    const begin = Date.now();
    const { child, exited } = spawnBroker(s);
    await waitUntilAnswering(s, exited, begin);
    log(`kafka: broker pid ${child.pid} back at ${s.brokers} after ${Date.now() - begin} ms`);
  });
}

/** True when a Kafka broker answers a metadata request at `brokers`. */
export async function isAnswering(brokers, timeoutMs = 3000) {
  const { Kafka, logLevel } = requireFromTestkit('kafkajs');
  const kafka = new Kafka({
    clientId: 'infra-kafka-probe',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 1000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        await admin.listTopics();
      })(),
      timeoutMs,
    );
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------

async function startBroker(s, log) {
  const begin = Date.now();
  ensureJars(s, log);
  if (await isPortOpen(s.port)) {
    // Something listens but does not speak Kafka yet: maybe a broker still starting.
    log(`kafka: port ${s.port} is open but no broker answers yet; waiting`);
    await waitUntilAnswering(s, null, begin);
    return Date.now() - begin;
  }
  if (await isPortOpen(s.controllerPort)) {
    throw new Error(
      `kafka: controller port ${s.controllerPort} is already in use by another process. ` +
        'Set KAFKA_PORT and KAFKA_CONTROLLER_PORT to free ports, or KAFKA_BROKERS to an existing cluster.',
    );
  }
  await stopBroker(s, () => {}); // a stale broker of ours that no longer answers

  // A fresh log directory every cold start: tests never see an earlier run's topics.
  rmSync(s.dataDir, { recursive: true, force: true });
  mkdirSync(s.dataDir, { recursive: true });
  writeFileSync(s.propertiesFile, serverProperties(s));
  writeFileSync(s.log4jFile, log4jProperties());
  writeFileSync(s.logFile, '');

  const clusterId = randomClusterId();
  const format = spawnSync(
    javaCommand(),
    [
      ...jvmOptions(s, '256m'),
      '-cp',
      join(s.libDir, '*'),
      'kafka.tools.StorageTool',
      'format',
      '--standalone',
      '-t',
      clusterId,
      '-c',
      s.propertiesFile,
    ],
    { encoding: 'utf8' },
  );
  if (format.error || format.status !== 0) {
    throw new Error(
      `kafka: formatting the storage failed (${format.error?.message ?? `exit ${format.status}`}):\n` +
        `${format.stdout}${format.stderr}`,
    );
  }

  const { child, exited } = spawnBroker(s);
  log(`kafka: starting broker pid ${child.pid} at ${s.brokers} (log ${s.logFile})`);

  await waitUntilAnswering(s, exited, begin);
  await warmUp(s.brokers);
  const ms = Date.now() - begin;
  log(`kafka: broker ready at ${s.brokers} after ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

/**
 * Starts the broker JVM detached on the settings' data, logging to its log file, and records its
 * pid. `exited()` says how it ended if it already has (for start-up errors), else null.
 */
function spawnBroker(s) {
  const out = openSync(s.logFile, 'a');
  const child = spawn(
    javaCommand(),
    [...jvmOptions(s, s.heap), '-cp', join(s.libDir, '*'), 'kafka.Kafka', s.propertiesFile],
    { detached: true, stdio: ['ignore', out, out], cwd: s.stateDir },
  );
  closeSync(out);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  child.on('error', (error) => (exited = { error }));
  child.unref();
  writeFileSync(s.pidFile, `${child.pid}\n`);
  return { child, exited: () => exited };
}

async function waitUntilAnswering(s, exitedOf, begin) {
  const deadline = begin + s.startTimeoutMs;
  while (Date.now() < deadline) {
    const exited = exitedOf?.();
    if (exited) {
      rmSync(s.pidFile, { force: true });
      throw new Error(
        `kafka: the broker exited during start-up (${exited.error?.message ?? `code ${exited.code}, signal ${exited.signal}`}). ` +
          `Last lines of ${s.logFile}:\n${tail(s.logFile)}`,
      );
    }
    if (await isAnswering(s.brokers, 2000)) return;
    await sleep(250);
  }
  throw new Error(
    `kafka: no broker answered at ${s.brokers} within ${s.startTimeoutMs} ms ` +
      `(KAFKA_START_TIMEOUT_MS). Last lines of ${s.logFile}:\n${tail(s.logFile)}`,
  );
}

/**
 * A fresh broker creates its internal topics (__consumer_offsets) and producer-id state on first
 * use, answering "coordinator is loading" meanwhile. Do that here, once, so the first test does
 * not pay for it (or log kafkajs retry errors).
 */
async function warmUp(brokers) {
  const { Kafka, logLevel } = requireFromTestkit('kafkajs');
  const kafka = new Kafka({
    clientId: 'infra-kafka-warm-up',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await admin.connect();
    await admin.describeGroups(['infra-kafka-warm-up']); // finds the group coordinator
    await producer.connect(); // InitProducerId
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/** Stops the broker named by the pid file, if it is one of ours and still running. */
async function stopBroker(s, log) {
  const pid = ourBrokerPid(s);
  if (pid === null) {
    rmSync(s.pidFile, { force: true });
    return false;
  }
  log(`kafka: stopping broker pid ${pid}`);
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    log(`kafka: broker pid ${pid} ignored SIGTERM for 30 s; killing it`);
    signal(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(100);
  }
  rmSync(s.pidFile, { force: true });
  log('kafka: broker stopped');
  return true;
}

/** The pid in the pid file when that process is still a kafka.Kafka on our properties file. */
function ourBrokerPid(s) {
  let pid;
  try {
    pid = Number(readFileSync(s.pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('kafka.Kafka') || !cmdline.includes(s.propertiesFile)) return null;
  } catch {
    // No /proc (not Linux): trust the pid file.
  }
  return pid;
}

function ensureJars(s, log) {
  const haveJars =
    existsSync(s.libDir) && readdirSync(s.libDir).some((f) => /^kafka_2\.13-.*\.jar$/.test(f));
  if (haveJars) return;
  log('kafka: fetching the Kafka jars with Maven into infra/kafka/lib (once; cached in ~/.m2)');
  const mvn = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(here, 'pom.xml'), 'dependency:copy-dependencies'],
    { stdio: 'inherit' },
  );
  if (mvn.error || mvn.status !== 0) {
    throw new Error(
      `kafka: could not fetch the jars (${mvn.error?.message ?? `mvn exit ${mvn.status}`}). ` +
        'Run: mvn -q -f infra/kafka/pom.xml dependency:copy-dependencies',
    );
  }
}

/** Kafka's Uuid text form (base64url, 22 chars); like Uuid.randomUuid, never starting with '-',
 * which the command line would take for an option. */
function randomClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(s) {
  return `# Written by infra/kafka/kafka.mjs: a single-node KRaft test broker. Do not edit; it is rewritten.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=${HOST}:${s.controllerPort}
listeners=PLAINTEXT://${HOST}:${s.port},CONTROLLER://${HOST}:${s.controllerPort}
advertised.listeners=PLAINTEXT://${HOST}:${s.port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${s.dataDir}

# One node: every replication factor and ISR is 1.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1

# Topics are created by the code (admin client), never by a stray produce or fetch.
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=1
group.initial.rebalance.delay.ms=0

# Small and quick: tests write little.
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
log.segment.bytes=16777216
log.retention.hours=1
log.retention.check.interval.ms=60000
`;
}

function log4jProperties() {
  return `status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.statechange.name = state.change.logger
logger.statechange.level = warn
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.clients.name = org.apache.kafka.clients
logger.clients.level = warn
logger.config.name = org.apache.kafka.common.config
logger.config.level = warn
`;
}

function jvmOptions(s, heap) {
  return [
    `-Xmx${heap}`,
    '-Xms64m',
    '-XX:+UseSerialGC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${s.log4jFile}`,
    `-Dkafka.logs.dir=${s.stateDir}`,
  ];
}

function javaCommand() {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

// --- leases and the lock ---------------------------------------------------------------------

function liveLeases(s) {
  let names;
  try {
    names = readdirSync(s.leaseDir);
  } catch {
    return [];
  }
  return names.filter((name) => {
    if (name === MANUAL_LEASE) return true;
    // A lease is named after its holder's pid, optionally with a prefix (`bench-<pid>`).
    const pid = Number(name.split('-').pop());
    if (Number.isInteger(pid) && isAlive(pid)) return true;
    rmSync(join(s.leaseDir, name), { force: true }); // its process died without releasing
    return false;
  });
}

/** A cross-process lock: mkdir is atomic. A lock whose holder died is taken over. */
async function withLock(s, fn) {
  mkdirSync(s.stateDir, { recursive: true });
  const owner = join(s.lockDir, 'owner');
  const deadline = Date.now() + s.startTimeoutMs + 60_000;
  for (;;) {
    try {
      mkdirSync(s.lockDir);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let holder = NaN;
      try {
        holder = Number(readFileSync(owner, 'utf8'));
      } catch {
        // The holder is between mkdir and writing its pid.
      }
      if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
        rmSync(s.lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`kafka: timed out waiting for the lock ${s.lockDir} held by pid ${holder}`);
      }
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(owner);
    } catch {
      // already gone
    }
    rmSync(s.lockDir, { recursive: true, force: true });
  }
}

// --- small helpers ---------------------------------------------------------------------------

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function isPortOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function defaultLog(message) {
  console.error(message);
}

// --- command line ----------------------------------------------------------------------------

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const command = process.argv[2];
  try {
    if (command === 'up') {
      await up();
    } else if (command === 'down') {
      await down({ force: process.argv.includes('--force') });
    } else if (command === 'status') {
      const s = kafkaSettings();
      const brokers = process.env.KAFKA_BROKERS ?? s.brokers;
      const answering = await isAnswering(brokers);
      console.log(`kafka at ${brokers}: ${answering ? 'answering' : 'not answering'}`);
      process.exitCode = answering ? 0 : 1;
    } else {
      console.error('usage: node infra/kafka/kafka.mjs up | down [--force] | status');
      process.exitCode = 2;
    }
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
