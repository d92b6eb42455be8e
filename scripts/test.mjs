#!/usr/bin/env node
// Runs the compiled test files of one suite (unit, int, e2e) or all of them with node's test
// runner. Suites are told apart by file suffix: *.unit.spec.ts, *.int.spec.ts, *.e2e.spec.ts.
//
//   node scripts/test.mjs <unit|int|e2e|all> [filter]    (build first: npx tsc -b)
//
// Integration and end-to-end tests need PostgreSQL (DATABASE_URL, else 127.0.0.1:5432/test) and
// Kafka. Unless KAFKA_BROKERS names a cluster, a local broker is started from infra/kafka (or a
// running one reused), KAFKA_BROKERS is exported to the tests, and the broker is stopped
// afterwards (also on Ctrl-C) unless someone else still uses it. Unit tests need no infrastructure.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireKafka } from '../infra/kafka/kafka.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const suites = { unit: ['unit'], int: ['int'], e2e: ['e2e'], all: ['unit', 'int', 'e2e'] };
const suite = process.argv[2] ?? 'all';
const filter = process.argv[3];
if (!(suite in suites)) {
  console.error(`usage: node scripts/test.mjs <${Object.keys(suites).join('|')}> [filter]`);
  process.exit(2);
}

const started = Date.now();
const files = findTestFiles(suites[suite], filter);
if (files.length === 0) {
  console.error(
    `no ${suite} test files found${filter ? ` matching "${filter}"` : ''} (compiled dist/**/*.spec.js: run \`npx tsc -b\` first)`,
  );
  process.exit(1);
}
const needsInfra = files.some((file) => /\.(int|e2e)\.spec\.js$/.test(file));

let kafka = null;
let child = null;
let interrupted = null;
let cleaningUp = null;
let acquiring = false;

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = sig;
    console.error(`\ntest.mjs: ${sig}: stopping the tests and the infrastructure this run started`);
    // The test runner shares the terminal's process group on Ctrl-C; forward for `kill <pid>` too.
    if (child && child.exitCode === null) child.kill(sig);
    else if (!acquiring) void finish(130); // else the run stops once the broker is up and leased
  });
}

const notes = [];
let reportDir = null;
let failures = [];
try {
  if (needsInfra) {
    const database = await checkPostgres();
    notes.push(`PostgreSQL ${database}`);
    acquiring = true;
    kafka = await acquireKafka({ log: (message) => console.error(message) });
    acquiring = false;
    notes.push(
      kafka.started
        ? `Kafka started at ${kafka.brokers} (cold start ${(kafka.coldStartMs / 1000).toFixed(1)} s)`
        : `Kafka at ${kafka.brokers} (already running)`,
    );
  }
  if (interrupted) await finish(130);

  reportDir = mkdtempSync(join(tmpdir(), 'bank-test-'));
  const tapFile = join(reportDir, 'report.tap');
  console.log(
    `running ${files.length} ${suite} test files: ${files.map((f) => relative(root, f)).join(' ')}`,
  );
  const env = { ...process.env };
  if (kafka) env.KAFKA_BROKERS = kafka.brokers;
  // kafkajs 2 warns on every producer that its default partitioner changed in 2.0; code that
  // cares picks one explicitly.
  env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  // The usual reporter for the terminal (spec on a TTY, TAP otherwise: its closing `# pass N`,
  // `# fail N` lines stay), plus a TAP copy to count results for the summary below.
  const reporter = process.stdout.isTTY ? 'spec' : 'tap';
  const args = [
    '--enable-source-maps',
    '--test',
    '--test-concurrency=2',
    // A test or suite still running after 15 minutes has hung: it fails rather than holding the run.
    '--test-timeout=900000',
    `--test-reporter=${reporter}`,
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ];
  child = spawn(process.execPath, args, { stdio: 'inherit', env });
  const status = await new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.once('error', (error) => {
      console.error(`test.mjs: could not start node --test: ${error.message}`);
      resolve(1);
    });
  });
  const counts = readCounts(tapFile);
  failures = readFailures(tapFile);
  await finish(interrupted ? 130 : status, counts);
} catch (error) {
  console.error(`\ntest.mjs: ${error.message}`);
  await finish(1);
}

async function finish(status, counts = null) {
  if (cleaningUp) return cleaningUp;
  cleaningUp = (async () => {
    if (kafka) {
      try {
        await kafka.release();
      } catch (error) {
        console.error(`test.mjs: stopping Kafka failed: ${error.message}`);
      }
    }
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const outcome =
      status === 0 ? 'PASSED' : interrupted ? `INTERRUPTED (${interrupted})` : 'FAILED';
    console.log('');
    console.log(`== ${suite} tests ${outcome} in ${seconds} s ==`);
    if (counts) {
      // Cancelled tests (a file that crashed or timed out) count as failed; todo as skipped.
      console.log(
        `${counts.pass} passed, ${counts.fail + counts.cancelled} failed, ${counts.skipped + counts.todo} skipped`,
      );
    }
    for (const note of notes) console.log(`  ${note}`);
    printFailures(failures);
    if (counts && status === 0 && counts.tests === 0) {
      console.log('no test ran');
      status = 1;
    }
    process.exit(status);
  })();
  return cleaningUp;
}

function findTestFiles(wanted, filter) {
  const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
  const found = [];
  for (const ws of workspaces) {
    const dist = join(root, ws, 'dist');
    try {
      statSync(dist);
    } catch {
      continue;
    }
    for (const file of walk(dist)) {
      if (
        wanted.some((s) => file.endsWith(`.${s}.spec.js`)) &&
        (!filter || file.includes(filter))
      ) {
        found.push(file);
      }
    }
  }
  return found.sort();
}

function* walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** Connects once to fail early, with a clear message, when PostgreSQL is down. */
async function checkPostgres() {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const shown = redact(url);
  const pg = createRequire(join(root, 'packages', 'testkit', 'package.json'))('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query('SHOW server_version');
    return `${rows[0].server_version} at ${shown}`;
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${shown} (${error.message}). Integration tests need it: ` +
        'start it (e.g. `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) ' +
        'or set DATABASE_URL.',
    );
  } finally {
    await client.end().catch(() => {});
  }
}

function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/**
 * The failed tests of a TAP report with their error, so that the end of a long run says why it
 * failed.
 */
function readFailures(tapFile) {
  let lines;
  try {
    lines = readFileSync(tapFile, 'utf8').split('\n');
  } catch {
    return [];
  }
  const failed = [];
  for (let i = 0; i < lines.length; i += 1) {
    const head = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!head) continue;
    const indent = head[1];
    const details = [];
    if (lines[i + 1] === `${indent}  ---`) {
      for (let j = i + 2; j < lines.length && lines[j] !== `${indent}  ...`; j += 1) {
        details.push(lines[j].slice(indent.length + 2));
      }
    }
    const field = (name) =>
      details
        .find((line) => line.startsWith(`${name}: `))
        ?.slice(name.length + 2)
        .replace(/^'(.*)'$/, '$1');
    failed.push({
      name: head[2],
      type: field('failureType') ?? '',
      location: field('location') ?? '',
      details,
    });
  }
  return failed;
}

function printFailures(failed) {
  if (failed.length === 0) return;
  // A suite whose tests failed is listed through them; one cancelled by its suite, through it.
  const cancelled = failed.filter((f) => f.type === 'cancelledByParent');
  const shown = failed.filter((f) => !['cancelledByParent', 'subtestsFailed'].includes(f.type));
  console.log('');
  console.log(`failures (${shown.length}; plus ${cancelled.length} cancelled with their suite):`);
  for (const failure of shown.slice(0, 15)) {
    console.log(`- ${failure.name} [${failure.type}] ${failure.location}`);
    const start = failure.details.findIndex((line) => line.startsWith('error:'));
    const end = failure.details.findIndex(
      (line, k) => k > start && /^(code|stack|failureType):/.test(line),
    );
    const error = start < 0 ? [] : failure.details.slice(start, end < 0 ? undefined : end);
    for (const line of error.slice(0, 20)) console.log(`    ${line}`);
  }
  if (shown.length > 15) console.log(`  ... and ${shown.length - 15} more`);
}

/** The closing `# tests N`, `# pass N`, ... lines of a TAP report. */
function readCounts(tapFile) {
  let text;
  try {
    text = readFileSync(tapFile, 'utf8');
  } catch {
    return null;
  }
  const counts = { tests: 0, pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
  let seen = false;
  for (const key of Object.keys(counts)) {
    const match = [...text.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))].at(-1);
    if (match) {
      counts[key] = Number(match[1]);
      seen = true;
    }
  }
  return seen ? counts : null;
}
