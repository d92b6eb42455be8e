import { fileURLToPath } from 'node:url';
import { startProcess, waitFor, type StartedProcess } from '@bank/testkit';
import type { TestStack } from './stack.js';

/** The compiled entry point, run as a child process so tests can SIGKILL it. */
export const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export function startChild(stack: TestStack, role: 'relay' | 'consumer'): Promise<StartedProcess> {
  return startProcess(
    process.execPath,
    [MAIN],
    stack.env({ PROJECTOR_ROLE: role, LOG_LEVEL: 'info' }),
    /"msg":"projector ready"/,
    {
      timeoutMs: 30_000,
    },
  );
}

/** Reads a checkpoint's position (or the minimum over the watermarks, for `watermark:%`). */
export async function checkpoint(stack: TestStack, name: string): Promise<bigint> {
  const { rows } = await stack.schema.pool.query<{ position: string | null }>(
    `SELECT min(position)::text AS position FROM projection_checkpoints WHERE name LIKE $1`,
    [name],
  );
  return BigInt(rows[0]?.position ?? '0');
}

/**
 * Crashes `role`'s child `times` times at random moments while it works: each child runs until
 * `name` moved past where it was when the child started (it is mid-stream), then a random extra
 * 0–600 ms, then SIGKILL. Returns the output of the children for diagnosis.
 */
export async function crashRepeatedly(
  stack: TestStack,
  role: 'relay' | 'consumer',
  name: string,
  times: number,
): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    const child = await startChild(stack, role);
    let exit;
    try {
      const from = await checkpoint(stack, name);
      await waitFor(async () => (await checkpoint(stack, name)) > from, {
        timeoutMs: 30_000,
        intervalMs: 20,
        description: `${role} child ${i + 1} making progress`,
      });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 600)));
    } catch (error) {
      throw new Error(`${(error as Error).message}\nchild output:\n${child.output.slice(-3000)}`);
    } finally {
      // Also on failure: a live child (its pipes) would keep the test process from exiting.
      exit = await child.kill('SIGKILL');
    }
    if (exit.signal !== 'SIGKILL')
      throw new Error(`${role} child exited on its own: ${child.output.slice(-2000)}`);
  }
}
