/** Timestamped run log: wall clock and offset from the run's start, so faults line up with checks. */
const started = Date.now();

export function elapsedMs(): number {
  return Date.now() - started;
}

export function log(line: string): void {
  const offset = (elapsedMs() / 1000).toFixed(1).padStart(6);
  process.stdout.write(`${new Date().toISOString()} +${offset}s  ${line}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
