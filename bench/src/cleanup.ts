/** Things to undo however the run ends (stacks, schemas, the Kafka lease), newest first. */
const steps: Array<{ name: string; run: () => Promise<void> }> = [];

export function onCleanup(name: string, run: () => Promise<void>): () => void {
  const step = { name, run };
  steps.push(step);
  return () => {
    const at = steps.indexOf(step);
    if (at >= 0) steps.splice(at, 1);
  };
}

/**
 * Runs `body`, then `undo` — also if the run is interrupted (SIGINT) while `body` runs, since
 * `undo` stays registered until then.
 */
export async function guarded<T>(
  name: string,
  undo: () => Promise<void>,
  body: () => Promise<T>,
): Promise<T> {
  const forget = onCleanup(name, undo);
  try {
    return await body();
  } finally {
    forget();
    await undo();
  }
}

export async function cleanupAll(log: (line: string) => void): Promise<void> {
  while (steps.length > 0) {
    const step = steps.pop();
    if (!step) break;
    try {
      await step.run();
    } catch (error) {
      log(`cleanup ${step.name} failed: ${(error as Error).message}`);
    }
  }
}
