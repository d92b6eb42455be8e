import type { Random } from '../random.js';

export type FaultKind =
  | 'kill-relay'
  | 'kill-consumer'
  | 'kill-command-service'
  | 'kill-gateway'
  | 'restart-kafka'
  | 'restart-postgres';

export interface PlannedFault {
  readonly index: number;
  /** Offset from the start of the workload. */
  readonly atMs: number;
  readonly kind: FaultKind;
  /** How long the victim stays down before it is started again. */
  readonly downMs: number;
}

export interface FaultCounts {
  readonly relay: number;
  readonly consumer: number;
  readonly commandService: number;
  readonly gateway: number;
}

/**
 * The run's faults, drawn from the seed alone: which fault, in what order, at which offset.
 * Spread over 10 %..85 % of the workload so that the run starts healthy and has load left
 * after the last fault.
 */
export function planFaults(
  random: Random,
  durationMs: number,
  counts: FaultCounts,
): PlannedFault[] {
  const kinds: FaultKind[] = [
    ...repeat<FaultKind>('kill-relay', counts.relay),
    ...repeat<FaultKind>('kill-consumer', counts.consumer),
    ...repeat<FaultKind>('kill-command-service', counts.commandService),
    ...repeat<FaultKind>('kill-gateway', counts.gateway),
    'restart-kafka',
    'restart-postgres',
  ];
  for (let i = kinds.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j] as FaultKind, kinds[i] as FaultKind];
  }
  const start = durationMs * 0.1;
  const slot = (durationMs * 0.75) / kinds.length;
  return kinds.map((kind, index) => ({
    index,
    kind,
    atMs: Math.round(start + slot * index + random.next() * slot * 0.5),
    downMs: random.int(0, kind === 'restart-postgres' || kind === 'restart-kafka' ? 3000 : 1500),
  }));
}

function repeat<T>(value: T, times: number): T[] {
  return Array.from({ length: times }, () => value);
}
