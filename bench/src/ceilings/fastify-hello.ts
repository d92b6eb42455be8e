import { fileURLToPath } from 'node:url';
import { baseEnv, spawnChild } from '../infra/child.js';
import { runHttpLoad, type HttpLoadResult } from '../load/http-load.js';

export interface FastifyCeilingOptions {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly maxRequests: number;
}

/**
 * Ceiling for the HTTP edge: Fastify hello-world in its own process (as the gateway is), under
 * the same load generator, connections and duration as the gateway scenarios.
 */
export async function measureFastifyCeiling(
  options: FastifyCeilingOptions,
): Promise<HttpLoadResult> {
  let port = 0;
  const server = spawnChild(
    'fastify-hello',
    process.execPath,
    [fileURLToPath(new URL('./fastify-hello-server.js', import.meta.url))],
    {
      env: baseEnv(),
      onStdout: (chunk) => {
        const match = /listening (\d+)/.exec(chunk.toString('utf8'));
        if (match?.[1]) port = Number(match[1]);
      },
    },
  );
  try {
    const deadline = Date.now() + 15_000;
    while (port === 0) {
      if (server.hasExited() || Date.now() > deadline)
        throw new Error(`fastify hello-world did not start: ${server.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return await runHttpLoad({
      url: `http://127.0.0.1:${port}`,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      maxRequests: options.maxRequests,
      next: () => ({ method: 'GET', path: '/', headers: {} }),
    });
  } finally {
    await server.stop(5000);
  }
}
