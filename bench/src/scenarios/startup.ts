import { guarded } from '../cleanup.js';
import type { BenchContext } from '../context.js';
import { baseEnv, spawnChild } from '../infra/child.js';
import { createBenchSchema } from '../infra/database.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '@bank/testkit';
import { REPO_ROOT } from '../paths.js';

const SCENARIO = '6 start-up';
const READY = /ready in ([0-9.]+) s/;

/**
 * The README's run command, `npm start` (tsc -b, then scripts/start.mjs), timed from spawn until
 * it prints "ready". It runs on the machine's PostgreSQL (DATABASE_URL = a fresh schema, as an
 * operator with a database would run it) in embedded-projector mode, on free ports and with a
 * state folder of its own (a user's `npm start` in this checkout does not collide with it).
 * Stopped with SIGTERM to its process group (start.mjs treats it as Ctrl-C).
 */
export async function runStartupScenario(ctx: BenchContext): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  try {
    await runStartup(ctx, stateDir);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function runStartup(ctx: BenchContext, stateDir: string): Promise<void> {
  const schema = await createBenchSchema('startup');
  await guarded(
    `schema ${schema.name}`,
    () => schema.drop(),
    async () => {
      const [port, commandPort, queryPort, commandMetrics, projectorMetrics, queryMetrics] = (
        await freePorts(6)
      ).map(String);
      let output = '';
      let readyIn: number | undefined;
      let readyAt: number | undefined;
      const began = performance.now();
      ctx.log('start-up: npm start');
      const child = spawnChild('npm start', 'npm', ['start'], {
        cwd: REPO_ROOT,
        detached: true,
        env: {
          ...baseEnv([
            'DATABASE_URL',
            'KAFKA_BROKERS',
            'EVENTSTORE_CONNECTION_STRING',
            'LOG_LEVEL',
            'PORT',
            'HOST',
          ]),
          DATABASE_URL: schema.url,
          PORT: port,
          COMMAND_GRPC_PORT: commandPort,
          QUERY_GRPC_PORT: queryPort,
          COMMAND_METRICS_PORT: commandMetrics,
          PROJECTOR_METRICS_PORT: projectorMetrics,
          QUERY_METRICS_PORT: queryMetrics,
          BANK_STATE_DIR: stateDir,
          JWT_SECRET: ctx.jwtSecret,
          BANK_LOGS: 'quiet',
        },
        onStdout: (chunk) => {
          output = (output + chunk.toString('utf8')).slice(-16_384);
          const match = READY.exec(output);
          if (match?.[1] && readyAt === undefined) {
            readyAt = performance.now();
            readyIn = Number(match[1]);
          }
        },
      });
      await guarded(
        'npm start',
        async () => void (await child.stop(20_000)),
        async () => {
          const deadline = began + 120_000;
          while (readyAt === undefined && !child.hasExited() && performance.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          if (readyAt === undefined) {
            const why = child.hasExited() ? 'exited before it was ready' : 'not ready within 120 s';
            throw new Error(
              `npm start ${why}: ${(output + child.tail()).trim().split('\n').slice(-4).join(' | ')}`,
            );
          }
          ctx.results.add({
            scenario: SCENARIO,
            metric: 'npm start -> "ready" (whole stack)',
            value: (readyAt - began) / 1000,
            unit: 's',
            note: `includes npm and the tsc -b up-to-date check; scripts/start.mjs itself reports ${String(readyIn)} s; PostgreSQL server already running, embedded projector`,
          });
        },
      );
    },
  );
}
