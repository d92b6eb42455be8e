import type { Stack, StackService } from '@bank/testkit';
import type { OwnBroker } from '../infra/kafka-broker.js';
import type { PostgresCluster } from '../infra/postgres-cluster.js';
import { elapsedMs, log, sleep } from '../log.js';
import type { FaultKind, PlannedFault } from './schedule.js';

export interface InjectedFault {
  readonly planned: PlannedFault;
  /** Offset from the run's start when it was injected, and how long until the victim was back. */
  readonly atRunMs: number;
  readonly recoveredMs: number;
  readonly wallClock: string;
  readonly ok: boolean;
  readonly error?: string;
}

export interface FaultTargets {
  readonly stack: Stack;
  readonly broker: OwnBroker;
  readonly postgres: PostgresCluster;
}

/**
 * Injects the planned faults one after another, each at its offset from `startedAt` (or as soon
 * as the one before it has recovered). A victim that does not come back is a finding.
 */
export async function driveFaults(
  targets: FaultTargets,
  plan: readonly PlannedFault[],
  startedAt: number,
  stopAt: number,
): Promise<InjectedFault[]> {
  const done: InjectedFault[] = [];
  for (const fault of plan) {
    const wait = startedAt + fault.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    if (Date.now() > stopAt) break;
    const wallClock = new Date().toISOString();
    const atRunMs = elapsedMs();
    log(
      `FAULT #${fault.index} ${fault.kind} (planned +${(fault.atMs / 1000).toFixed(1)}s of the workload, down ${fault.downMs} ms)`,
    );
    const began = Date.now();
    try {
      await inject(targets, fault.kind, fault.downMs);
      const recoveredMs = Date.now() - began;
      log(`FAULT #${fault.index} ${fault.kind}: back after ${recoveredMs} ms`);
      done.push({ planned: fault, atRunMs, recoveredMs, wallClock, ok: true });
    } catch (error) {
      const message = (error as Error).message;
      log(`FAULT #${fault.index} ${fault.kind}: DID NOT RECOVER: ${message.slice(0, 2000)}`);
      done.push({
        planned: fault,
        atRunMs,
        recoveredMs: Date.now() - began,
        wallClock,
        ok: false,
        error: message,
      });
    }
  }
  return done;
}

let commandKills = 0;

async function inject(targets: FaultTargets, kind: FaultKind, downMs: number): Promise<void> {
  const { stack } = targets;
  switch (kind) {
    case 'kill-relay':
      return killAndRestart(projector(stack, 'relay'), downMs);
    case 'kill-consumer':
      return killAndRestart(projector(stack, 'consumer'), downMs);
    case 'kill-command-service': {
      // The instances take turns.
      const instances = stack.services.commands;
      commandKills += 1;
      return killAndRestart(instances[commandKills % instances.length] as StackService, downMs);
    }
    case 'kill-gateway':
      return killAndRestart(stack.services.gateway, downMs);
    case 'restart-kafka':
      return targets.broker.restart('SIGTERM', downMs);
    case 'restart-postgres':
      await targets.postgres.stop('immediate');
      await sleep(downMs);
      await targets.postgres.start();
      return;
  }
}

function projector(stack: Stack, role: 'relay' | 'consumer'): StackService {
  const service = stack.services.projectors.find((p) => p.name === `projector-${role}`);
  if (!service)
    throw new Error(`no projector-${role} in the stack (projectorRoles must be 'split')`);
  return service;
}

async function killAndRestart(service: StackService, downMs: number): Promise<void> {
  const exit = await service.kill('SIGKILL');
  if (exit.signal !== 'SIGKILL') {
    throw new Error(
      `${service.name} had already exited (code ${exit.code}): ${service.output.slice(-2000)}`,
    );
  }
  await sleep(downMs);
  await service.restart();
}

/** Services that died on their own (not by the driver): a crash loop or a fatal error. */
export function deadServices(stack: Stack): string[] {
  return stack.services.all
    .filter((s) => !s.running)
    .map((s) => `${s.name}: ${s.output.slice(-1500)}`);
}
