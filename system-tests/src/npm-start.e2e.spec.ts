import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import {
  createTestSchema,
  freePorts,
  releasePorts,
  startProcess,
  waitFor,
  type StartedProcess,
  type TestSchema,
} from '@bank/testkit';
import { Client, type AccountResult } from './support/client.js';

/**
 * `npm start` (scripts/start.mjs) as an operator runs it: a child process in a process group of
 * its own, so that a signal to the group is what the terminal's Ctrl-C does. Each stack gets
 * free ports and a state folder of its own, so tests never meet each other or a user's stack.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START = join(ROOT, 'scripts/start.mjs');
const CLI = join(ROOT, 'ops/dist/cli.js');
const READY = /Ctrl-C stops everything/;

interface Stack {
  readonly process: StartedProcess;
  readonly stateDir: string;
  readonly gatewayUrl: string;
  readonly env: Record<string, string>;
  state(): StackStateFile;
}

interface StackStateFile {
  format: string;
  pid: number;
  status: string;
  databaseUrl: string;
  embeddedPostgres: { dataDir: string; port: number; pid: number } | null;
  gateway: { url: string; port: number };
  services: Record<string, { pid: number | null; metricsPort: number; restarts: number }>;
}

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // The embedded PostgreSQL runs as the postgres user when the tests run as root.
  chmodSync(dir, 0o755);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function schema(prefix: string): Promise<TestSchema> {
  const created = await createTestSchema(prefix);
  cleanups.push(() => created.drop());
  return created;
}

/** Environment for one stack: every port free, its own state folder. */
async function stackEnv(
  stateDir: string,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const ports = await freePorts(7);
  cleanups.push(() => releasePorts(ports));
  const [gateway, commandGrpc, queryGrpc, commandMetrics, projectorMetrics, queryMetrics, pg] =
    ports.map(String) as [string, string, string, string, string, string, string];
  return {
    PORT: gateway,
    HOST: '127.0.0.1',
    COMMAND_GRPC_PORT: commandGrpc,
    QUERY_GRPC_PORT: queryGrpc,
    COMMAND_METRICS_PORT: commandMetrics,
    PROJECTOR_METRICS_PORT: projectorMetrics,
    QUERY_METRICS_PORT: queryMetrics,
    EMBEDDED_POSTGRES_PORT: pg,
    BANK_STATE_DIR: stateDir,
    SHUTDOWN_GRACE_MS: '5000',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

async function startStack(env: Record<string, string>, timeoutMs = 120_000): Promise<Stack> {
  const child = await startProcess(process.execPath, [START], withoutKafka(env), READY, {
    timeoutMs,
    processGroup: true,
  });
  cleanups.push(async () => void (await child.kill('SIGKILL')));
  const stateDir = env['BANK_STATE_DIR'] ?? '';
  return {
    process: child,
    stateDir,
    env,
    gatewayUrl: `http://127.0.0.1:${env['PORT']}`,
    state: () => JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as StackStateFile,
  };
}

/** The embedded projector: KAFKA_BROKERS of the test run must not reach the stack. */
function withoutKafka(env: Record<string, string>): Record<string, string | undefined> {
  return { KAFKA_BROKERS: undefined, DATABASE_URL: undefined, ...env };
}

function tokenFrom(output: string, role: 'teller' | 'customer'): string {
  const match = new RegExp(`a ${role} token: +(\\S+)`).exec(output);
  assert.ok(match?.[1], `the banner prints a ${role} token:\n${output}`);
  return match[1];
}

function runCli(args: readonly string[], env: Record<string, string | undefined>) {
  return spawnSync(process.execPath, [CLI, ...args], {
    env: {
      ...process.env,
      DATABASE_URL: undefined,
      KAFKA_BROKERS: undefined,
      LOG_LEVEL: 'warn',
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** Lines a service printed with this message (its logs are JSON, prefixed with its name). */
function serviceLines(output: string, service: string, message: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(`${service.padEnd(15)}|`) && line.includes(message));
}

/** Whether a process runs: one that has exited but is not yet reaped (a zombie) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return processState(pid) !== 'Z';
}

/** A process's state letter from /proc (R, S, D, Z, …), or undefined where it is gone. */
function processState(pid: number): string | undefined {
  try {
    // The name in parentheses may hold spaces: the state is the field after its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

const SERVICES = ['command-service', 'projector', 'query-service', 'gateway'];

describe('npm start', () => {
  it('records where it runs, refuses a second start, serves beside a second stack, restarts a crashed service and stops on one Ctrl-C', async () => {
    const database = await schema('start_a');
    const first = await startStack(
      await stackEnv(tempDir('bank-start-a-'), { DATABASE_URL: database.url }),
    );

    // The state file: the database with its credentials, every port, the pids.
    const state = first.state();
    assert.equal(state.format, 'bank-state/1');
    assert.equal(state.pid, first.process.pid);
    assert.equal(state.status, 'ready');
    assert.equal(state.databaseUrl, database.url);
    assert.equal(state.gateway.port, Number(first.env['PORT']));
    assert.equal(
      state.services['command-service']?.metricsPort,
      Number(first.env['COMMAND_METRICS_PORT']),
    );
    assert.equal(
      state.services['projector']?.metricsPort,
      Number(first.env['PROJECTOR_METRICS_PORT']),
    );
    assert.equal(
      state.services['query-service']?.metricsPort,
      Number(first.env['QUERY_METRICS_PORT']),
    );
    for (const name of SERVICES) assert.ok(state.services[name]?.pid, `${name} has a pid`);

    // The banner: when the tokens expire and how to mint more, the development limits.
    assert.match(first.process.output, /tokens valid for 60 min, until \d{4}-\d\d-\d\dT/);
    assert.match(first.process.output, /more: npm run token -- --sub <id> --role/);
    assert.match(
      first.process.output,
      /limits +60000\/min per principal, 120000\/min per IP \(development\)/,
    );

    // The CLI, with no DATABASE_URL, acts on this stack and says so.
    const status = runCli(['status', '--json'], { BANK_STATE_DIR: first.stateDir });
    assert.equal(status.status, 0, status.stderr);
    assert.match(
      status.stderr,
      new RegExp(
        `database .* \\(the running npm start, pid ${state.pid}, from ${first.stateDir}/state\\.json\\)`,
      ),
    );
    assert.ok(
      (JSON.parse(status.stdout) as { checkpoints: Array<{ name: string }> }).checkpoints.some(
        (c) => c.name === 'watermark:embedded',
      ),
      status.stdout,
    );

    // A second start on the same state folder says where the first runs and fails.
    const second = spawnSync(process.execPath, [START], {
      env: { ...process.env, ...withoutKafka(first.env) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(second.status, 1, second.stdout + second.stderr);
    assert.match(second.stdout, new RegExp(`already running: pid ${state.pid}`));
    assert.match(second.stdout, new RegExp(`gateway +${first.gatewayUrl}`));

    // A second stack on other ports and another state folder, left from a crash (a pid that
    // is gone), runs beside the first.
    const otherDir = tempDir('bank-start-b-');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(
      join(otherDir, 'state.json'),
      JSON.stringify({ ...state, pid: gone, services: {}, embeddedPostgres: null }),
    );
    const other = await startStack(
      await stackEnv(otherDir, {
        DATABASE_URL: (await schema('start_b')).url,
        BANK_RESTART_LIMIT: '1',
      }),
    );
    assert.match(
      other.process.output,
      new RegExp(`replacing .*state\\.json: the npm start that wrote it \\(pid ${gone}\\) is gone`),
    );
    assert.equal(other.state().pid, other.process.pid);
    for (const url of [first.gatewayUrl, other.gatewayUrl]) {
      assert.equal((await fetch(`${url}/readyz`)).status, 200, url);
    }

    // SIGKILL of the command service: restarted, the gateway says not ready meanwhile, and a
    // command succeeds afterwards.
    const teller = new Client(first.gatewayUrl, tokenFrom(first.process.output, 'teller'));
    const killed = state.services['command-service']?.pid ?? 0;
    process.kill(killed, 'SIGKILL');
    await waitFor(async () => (await fetch(`${first.gatewayUrl}/readyz`)).status === 503, {
      timeoutMs: 10_000,
      description: 'the gateway reports its upstream missing',
    });
    await waitFor(
      () => /command-service restarted \(pid \d+\) and ready/.test(first.process.output),
      {
        timeoutMs: 60_000,
        description: 'the command service restarted',
      },
    );
    assert.match(
      first.process.output,
      /command-service exited unexpectedly \(SIGKILL\); restarting it in \d+ ms/,
    );
    const restarted = first.state().services['command-service'];
    assert.notEqual(restarted?.pid, killed);
    assert.equal(restarted?.restarts, 1);
    const opened = await teller.ok<AccountResult>('/v1/accounts', {
      currency: 'USD',
      ownerId: 'after-restart',
    });
    assert.equal(opened.account.status, 'open');
    assert.equal((await fetch(`${first.gatewayUrl}/readyz`)).status, 200);

    // A polling loop is not throttled in development (the gateway's own defaults, 600/min per
    // principal, would answer 429 within this loop). Each read carries the opening's position:
    // without it, the first read may come before the projector has applied the opening (404).
    const statuses = new Map<number, number>();
    for (let i = 0; i < 700; i += 1) {
      const { status } = await teller.get(`/v1/accounts/${opened.account.id}`, {
        consistency: opened.position,
      });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    assert.deepEqual([...statuses], [[200, 700]]);

    // The projector's lag, as bank status defines it: nothing behind, so 0 s, while the age of
    // the newest applied event is the real one.
    const metrics = await (
      await fetch(`http://127.0.0.1:${first.env['PROJECTOR_METRICS_PORT']}/metrics`)
    ).text();
    const gauge = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1]);
    assert.equal(gauge('projector_lag_events'), 0, metrics);
    assert.equal(gauge('projector_lag_seconds'), 0, metrics);
    assert.ok(gauge('projector_last_applied_event_age_seconds') > 0, metrics);

    // A service that keeps crashing (here: twice, with BANK_RESTART_LIMIT=1) stops its stack.
    const otherCommand = other.state().services['command-service']?.pid ?? 0;
    process.kill(otherCommand, 'SIGKILL');
    await waitFor(() => /command-service restarted/.test(other.process.output), {
      timeoutMs: 60_000,
      description: 'the other stack restarted its command service',
    });
    process.kill(other.state().services['command-service']?.pid ?? 0, 'SIGKILL');
    const otherExit = await other.process.exited;
    assert.equal(otherExit.code, 1, other.process.output.slice(-3000));
    assert.match(
      other.process.output,
      /command-service exited \(SIGKILL\): 2 crashes within 60 s; stopping everything/,
    );
    assert.equal(existsSync(join(otherDir, 'state.json')), false);
    // The first stack never noticed.
    assert.equal((await fetch(`${first.gatewayUrl}/readyz`)).status, 200);

    // One Ctrl-C: every service gets one signal, shuts down within its grace, none is forced.
    const exit = await first.process.kill('SIGINT');
    const output = first.process.output;
    assert.equal(exit.code, 0, output.slice(-3000));
    for (const name of SERVICES) {
      assert.equal(
        serviceLines(output, name, '"shutting down"').length,
        1,
        `${name} shut down once`,
      );
      assert.match(serviceLines(output, name, '"shutting down"')[0] ?? '', /"signal":"SIGTERM"/);
    }
    assert.doesNotMatch(output, /second signal/);
    assert.match(output, /\[bank\] stopped/);
    assert.equal(existsSync(join(first.stateDir, 'state.json')), false, 'state file removed');
  });

  it('keeps the embedded PostgreSQL data in the state folder, across runs, and stops it with the stack', async () => {
    const stateDir = tempDir('bank-start-pg-');
    const env = await stackEnv(stateDir);
    const dataDir = join(stateDir, 'postgres');
    const first = await startStack(env, 180_000);
    assert.match(first.process.output, new RegExp(`data in ${dataDir} \\(kept across runs\\)`));
    const state = first.state();
    assert.equal(state.embeddedPostgres?.dataDir, dataDir);
    assert.equal(
      state.databaseUrl,
      `postgres://postgres:postgres@127.0.0.1:${env['EMBEDDED_POSTGRES_PORT']}/bank`,
    );
    const teller = new Client(
      `http://127.0.0.1:${env['PORT']}`,
      tokenFrom(first.process.output, 'teller'),
    );
    const opened = await teller.ok<AccountResult>('/v1/accounts', {
      currency: 'USD',
      ownerId: 'kept',
    });
    assert.equal((await first.process.kill('SIGINT')).code, 0, first.process.output.slice(-3000));
    assert.doesNotMatch(first.process.output, /second signal/);
    assert.ok(existsSync(join(dataDir, 'PG_VERSION')), 'the data folder stays');
    assert.equal(alive(state.embeddedPostgres?.pid ?? 0), false, 'PostgreSQL stopped');

    // Started again: the same data, no new cluster. Then start.mjs dies without stopping
    // anything (SIGKILL): its services stop by themselves, and the next start replaces the
    // stale state file and stops the PostgreSQL server left running.
    const again = await startStack(env, 180_000);
    assert.doesNotMatch(again.process.output, /first start, creating its data folder/);
    const read = await teller.get<{ id: string }>(`/v1/accounts/${opened.account.id}`, {
      consistency: opened.position,
    });
    assert.equal(read.status, 200);
    const crashed = again.state();
    await again.process.kill('SIGKILL');
    for (const [name, service] of Object.entries(crashed.services)) {
      await waitFor(() => !alive(service.pid ?? 0), {
        timeoutMs: 30_000,
        description: `${name} stops when start.mjs dies`,
      }).catch((error: unknown) => {
        const pid = service.pid ?? 0;
        throw new Error(
          `${String(error)} (pid ${pid} in state ${processState(pid) ?? 'gone'}; its last output:\n${again.process.output.slice(-3000)})`,
        );
      });
    }
    assert.ok(alive(crashed.embeddedPostgres?.pid ?? 0), 'the PostgreSQL server was left running');

    const third = await startStack(env, 180_000);
    assert.match(
      third.process.output,
      new RegExp(`the npm start that wrote it \\(pid ${crashed.pid}\\) is gone`),
    );
    assert.match(
      third.process.output,
      new RegExp(`stopping its PostgreSQL server \\(pid ${crashed.embeddedPostgres?.pid}`),
    );
    const readAgain = await teller.get<{ id: string }>(`/v1/accounts/${opened.account.id}`);
    assert.equal(readAgain.status, 200);

    // Two Ctrl-C: the second kills every service and the database at once. The gateway hangs
    // (stopped with SIGSTOP), so the first stop is still waiting for it when the second comes;
    // a stack that stops in a few milliseconds would otherwise be gone before it.
    const running = third.state();
    const pids = [
      ...Object.values(running.services).map((service) => service.pid ?? 0),
      running.embeddedPostgres?.pid ?? 0,
    ];
    const gateway = running.services['gateway']?.pid;
    assert.ok(gateway, 'the state names the gateway');
    process.kill(gateway, 'SIGSTOP');
    void third.process.kill('SIGINT');
    await waitFor(() => /\[bank\] stopping/.test(third.process.output), {
      timeoutMs: 10_000,
      description: 'the first Ctrl-C starts the stop',
    });
    const forced = await third.process.kill('SIGINT');
    assert.match(third.process.output, /second signal: killing every service now/);
    assert.equal(forced.code, 0, third.process.output.slice(-3000));
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} stopped`);
  });
});
