import { LatencyRecorder } from './latency.js';
import { loadResult, OutcomeCounter, type LoadResult } from './outcomes.js';

export type Outcome = 'ok' | 'conflict' | 'rejection' | 'error';

export interface ClosedLoopOptions {
  /** Operations in flight at once. */
  readonly concurrency: number;
  readonly durationSeconds: number;
  /** Stops after this many operations even if time is left. */
  readonly maxOperations: number;
  /** One operation; resolves with its outcome kind and a status label, never rejects. */
  readonly operation: (worker: number) => Promise<{ kind: Outcome; status: string }>;
}

export type ClosedLoopResult = LoadResult;

/** `concurrency` workers each run operations back to back until time or count runs out. */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const latencies = new LatencyRecorder();
  const outcomes = new OutcomeCounter();
  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;
  let issued = 0;
  const worker = async (index: number): Promise<void> => {
    while (performance.now() < deadline && issued < options.maxOperations) {
      issued += 1;
      const begin = performance.now();
      let outcome: { kind: Outcome; status: string };
      try {
        outcome = await options.operation(index);
      } catch (error) {
        outcome = { kind: 'error', status: error instanceof Error ? error.name : 'throw' };
      }
      latencies.add(performance.now() - begin);
      outcomes.record(outcome.status, outcome.kind);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  return loadResult(started, latencies, outcomes);
}
