import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { startStack, type Stack } from '@bank/testkit';
import type pg from 'pg';
import { waitForCatchUp } from './check/catch-up.js';
import { checkerPool } from './check/database.js';
import { checkFinal } from './check/final.js';
import { createFindings } from './check/findings.js';
import { sampleEventStore, sampleReadModels, startSampler } from './check/sampler.js';
import { runBankVerify } from './check/verify.js';
import { deadServices, driveFaults, type InjectedFault } from './faults/driver.js';
import { planFaults } from './faults/schedule.js';
import { runHostilePhase } from './hostile/phase.js';
import { startOwnBroker, type OwnBroker } from './infra/kafka-broker.js';
import { createPostgresCluster, type PostgresCluster } from './infra/postgres-cluster.js';
import { createTokenIssuer } from './infra/tokens.js';
import { elapsedMs, log } from './log.js';
import type { RunOptions } from './options.js';
import { createRandom } from './random.js';
import { figuresOf, type RunFigures } from './report.js';
import { runClient } from './workload/client.js';
import { createJournal } from './workload/journal.js';
import { resolveUnknowns } from './workload/resolve.js';
import { openAccounts } from './workload/setup.js';

/** Everything the run started, stopped in reverse order whatever happens. */
interface Resources {
  postgres?: PostgresCluster;
  broker?: OwnBroker;
  stack?: Stack;
  pool?: pg.Pool;
  folder?: string;
}

export async function runFaults(options: RunOptions, resources: Resources): Promise<RunFigures> {
  const random = createRandom(options.seed);
  const findings = createFindings();
  const journal = createJournal();
  const runTag = `f${options.seed}`;

  resources.folder = mkdtempSync('/tmp/bank-faults-');
  resources.postgres = await createPostgresCluster();
  log(
    `PostgreSQL of this run: port ${resources.postgres.port}, data ${resources.postgres.dataDir}`,
  );
  resources.broker = await startOwnBroker((line) => log(line));
  const issuer = createTokenIssuer(resources.folder);
  // RS256 with the run's public key, for the gateway and for the services the token is
  // forwarded to: JWT_SECRET empty counts as unset.
  const tokenKey = { JWT_SECRET: '', JWT_PUBLIC_KEY_FILE: issuer.publicKeyFile };
  const stack = await startStack({
    databaseUrl: resources.postgres.url,
    kafka: {
      brokers: resources.broker.brokers,
      topic: 'bank.events.v1',
      groupId: 'bank-projector',
      partitions: 3,
    },
    jwtSecret: randomBytes(32).toString('hex'),
    projectorRoles: 'split',
    // Two writers behind the gateway: each caches streams the other changes, and both drive
    // and recover transfers, so cross-instance races are part of every run.
    commandInstances: 2,
    poolSize: 10,
    readyTimeoutMs: 90_000,
    env: {
      gateway: { ...tokenKey, REQUEST_TIMEOUT_MS: '10000' },
      'command-service': { ...tokenKey, TRANSFER_RECOVERY_INTERVAL_MS: '1000' },
      'query-service': tokenKey,
    },
  });
  resources.stack = stack;
  log(
    `stack ready: gateway ${stack.gatewayUrl}; ${stack.services.all.map((s) => `${s.name} pid ${s.pid}`).join(', ')}`,
  );
  const pool = checkerPool(resources.postgres.url);
  resources.pool = pool;

  const accounts = await openAccounts(stack.gatewayUrl, issuer, journal, options.accounts, runTag);
  const hostile = options.skipHostile
    ? {}
    : await runHostilePhase({
        stack,
        issuer,
        pool,
        databaseUrl: resources.postgres.url,
        findings,
        random: random.fork('hostile'),
        runs: options.fuzzRuns,
        runTag,
      });

  const durationMs = options.durationSeconds * 1000;
  const plan = planFaults(random.fork('faults'), durationMs, {
    relay: options.kills,
    consumer: options.kills,
    commandService: Math.max(1, Math.ceil(options.kills / 2)),
    gateway: Math.max(1, Math.ceil(options.kills / 2)),
  });
  log(`fault schedule: ${plan.map((f) => `+${(f.atMs / 1000).toFixed(1)}s ${f.kind}`).join(', ')}`);
  const startedAt = Date.now();
  const stopAt = startedAt + durationMs;
  log(
    `workload: ${options.clients} clients on ${accounts.ids.length} accounts for ${options.durationSeconds} s`,
  );
  const sampler = startSampler(pool, accounts.ids, journal, findings, 2000, stopAt);
  const faultsDone = driveFaults(
    { stack, broker: resources.broker, postgres: resources.postgres },
    plan,
    startedAt,
    stopAt,
  );
  const steps = await Promise.all(
    Array.from({ length: options.clients }, (_, id) =>
      runClient({
        id,
        baseUrl: stack.gatewayUrl,
        random: random.fork(`client-${id}`),
        accounts,
        journal,
        runTag,
        stopAt,
        maxSteps: 1_000_000,
        retryBudgetMs: 20_000,
      }),
    ),
  );
  const faults: InjectedFault[] = await faultsDone;
  await sampler.done;
  log(`workload done: ${steps.reduce((a, b) => a + b, 0)} steps; ${faults.length} faults injected`);
  for (const fault of faults)
    findings.check(
      fault.ok,
      () =>
        `fault #${fault.planned.index} ${fault.planned.kind}: the victim did not come back: ${fault.error ?? ''}`,
    );
  const dead = deadServices(stack);
  findings.check(dead.length === 0, () => `services died on their own: ${dead.join('\n')}`);

  await resolveUnknowns(stack.gatewayUrl, journal, accounts, 90_000);
  const caughtUp = await waitForCatchUp(pool, 120_000);
  log(
    `catch-up: head ${caughtUp.head}, watermark ${caughtUp.watermark}${caughtUp.ok ? '' : ' (STUCK)'}`,
  );
  findings.check(
    caughtUp.ok,
    () => `projection stuck: watermark ${caughtUp.watermark} < head ${caughtUp.head} after 120 s`,
  );
  await sampleEventStore(pool, accounts.ids, journal, findings);
  await sampleReadModels(pool, accounts.ids, journal.totals, findings);
  await checkFinal(pool, accounts.ids, journal, findings);
  const verify = await runBankVerify(resources.postgres.url);
  log(`bank verify: exit ${verify.code}`);
  findings.check(
    verify.code === 0,
    () => `bank verify exited ${verify.code}:\n${verify.output.slice(-3000)}`,
  );
  findings.violations.push(...journal.violations);
  findings.checks += journal.reads.ok;

  return figuresOf(
    options,
    elapsedMs() / 1000,
    journal,
    faults,
    hostile,
    sampler.stats,
    findings.checks,
    findings.violations,
  );
}

export async function release(resources: Resources): Promise<void> {
  const steps: Array<[string, () => Promise<void> | void]> = [
    ['stack', () => resources.stack?.stop()],
    ['checker pool', () => resources.pool?.end()],
    ['kafka', () => resources.broker?.release()],
    ['postgres', () => resources.postgres?.destroy()],
    [
      'folder',
      () =>
        resources.folder ? rmSync(resources.folder, { recursive: true, force: true }) : undefined,
    ],
  ];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      log(`cleanup of ${name} failed: ${(error as Error).message}`);
    }
  }
}
