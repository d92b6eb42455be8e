import type { Stack } from '@bank/testkit';
import type pg from 'pg';
import type { Findings } from '../check/findings.js';
import type { TokenIssuer } from '../infra/tokens.js';
import { log } from '../log.js';
import type { Random } from '../random.js';
import { runAccessMatrix } from './access-matrix.js';
import { runCollisions } from './collision.js';
import { createFixtures } from './fixtures.js';
import { runFuzz } from './fuzz.js';
import { runGrpcDoor } from './grpc-door.js';
import { runJwtAttacks } from './jwt-attacks.js';
import { runLimits } from './limits.js';
import { createProbe } from './probe.js';
import { runRebuildUnderReads } from './rebuild-reads.js';
import { runVerbatim } from './verbatim.js';

export interface HostileContext {
  readonly stack: Stack;
  readonly issuer: TokenIssuer;
  readonly pool: pg.Pool;
  /** The run's database, for the operator CLI. */
  readonly databaseUrl: string;
  readonly findings: Findings;
  readonly random: Random;
  readonly runs: number;
  readonly runTag: string;
}

/**
 * Hostile input against the healthy stack, before the faults (a 5xx is then always a bug) and
 * on accounts of its own (the workload's money checks stay exact). Sequential, so that "a 4xx
 * changed nothing" can be read off the event store's head position; last, `bank rebuild all`
 * under concurrent token-carrying reads (which checks its own answers, not through the probe).
 */
export async function runHostilePhase(context: HostileContext): Promise<Record<string, number>> {
  const { stack, issuer, pool, findings, runTag } = context;
  const fx = await createFixtures(stack.gatewayUrl, issuer, runTag);
  const probe = createProbe(stack.gatewayUrl, pool, findings);
  const started = Date.now();
  const before = findings.violations.length;
  const counts = {
    jwt: await runJwtAttacks(fx, issuer, probe, findings),
    access: await runAccessMatrix(fx, probe, findings, runTag),
    grpcDoor: await runGrpcDoor(fx, stack, pool, findings, runTag),
    collision: await runCollisions(fx, issuer, probe, findings, runTag),
    verbatim: await runVerbatim(fx, pool, probe, findings, runTag),
    limits: await runLimits(fx, probe, findings, runTag),
    fuzz: await runFuzz(fx, probe, findings, context.random.int(1, 0x7fffffff), context.runs),
    rebuild: await runRebuildUnderReads(fx, context.databaseUrl, findings, runTag),
  };
  log(
    `hostile phase: ${Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `answers ${JSON.stringify(probe.counts)}; ${findings.violations.length - before} violations`,
  );
  return counts;
}
