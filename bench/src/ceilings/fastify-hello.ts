import { fileURLToPath } from 'node:url';
import { baseEnv, spawnChild, type Child } from '../infra/child.js';
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
  const server = await startListening('fastify-hello', './fastify-hello-server.js', baseEnv());
  try {
    return await runHttpLoad({
      url: `http://127.0.0.1:${server.port}`,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      maxRequests: options.maxRequests,
      next: () => ({ method: 'GET', path: '/', headers: {} }),
    });
  } finally {
    await server.child.stop(5000);
  }
}

/** Starts a server script of this folder and waits for its `listening <port>` line. */
export async function startListening(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: Child; port: number }> {
  let port = 0;
  const child = spawnChild(
    name,
    process.execPath,
    [fileURLToPath(new URL(script, import.meta.url))],
    {
      env,
      onStdout: (chunk) => {
        const match = /listening (\d+)/.exec(chunk.toString('utf8'));
        if (match?.[1]) port = Number(match[1]);
      },
    },
  );
  const deadline = Date.now() + 15_000;
  while (port === 0) {
    if (child.hasExited() || Date.now() > deadline) {
      await child.stop(1000);
      throw new Error(`${name} did not start: ${child.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { child, port };
}
