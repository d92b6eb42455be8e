import { baseEnv } from '../infra/child.js';
import { runHttpLoad, type HttpLoadResult } from '../load/http-load.js';
import { startListening } from './fastify-hello.js';

export interface FloorOptions {
  /** URL whose search_path is a bench schema. */
  readonly databaseUrl: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly maxRequests: number;
}

/** A running floor: its edge's URL; `load` drives it as the gateway's mix is driven. */
export interface RunningFloor {
  load(durationSeconds: number): Promise<HttpLoadResult>;
  stop(): Promise<void>;
}

/**
 * The architecture's floor: the hops of a command with no business logic. Fastify in its own
 * process → one grpc-js unary call → a second process that group-commits an event-shaped INSERT
 * (floor-grpc-server.ts), under the same load generator, connections and duration as the
 * gateway's command mix. Kept running between loads, so a caller can read the CPU of its
 * processes before they exit.
 */
export async function startFloor(
  options: Omit<FloorOptions, 'durationSeconds'>,
): Promise<RunningFloor> {
  const backend = await startListening('floor-grpc', './floor-grpc-server.js', {
    ...baseEnv(),
    DATABASE_URL: options.databaseUrl,
  });
  let edge;
  try {
    edge = await startListening('floor-http', './floor-http-server.js', {
      ...baseEnv(),
      FLOOR_GRPC_ADDRESS: `127.0.0.1:${backend.port}`,
    });
  } catch (error) {
    await backend.child.stop(5000);
    throw error;
  }
  const url = `http://127.0.0.1:${edge.port}`;
  return {
    load: (durationSeconds) =>
      runHttpLoad({
        url,
        connections: options.connections,
        durationSeconds,
        maxRequests: options.maxRequests,
        next: () => ({
          method: 'POST',
          path: '/floor',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ amount: '1.00' }),
        }),
      }),
    async stop() {
      await edge.child.stop(5000);
      await backend.child.stop(5000);
    },
  };
}

/** One load of a floor started for it. */
export async function measureFloor(options: FloorOptions): Promise<HttpLoadResult> {
  const floor = await startFloor(options);
  try {
    return await floor.load(options.durationSeconds);
  } finally {
    await floor.stop();
  }
}
