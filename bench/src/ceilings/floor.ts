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

/**
 * The architecture's floor: the hops of a command with no business logic. Fastify in its own
 * process → one grpc-js unary call → a second process that group-commits an event-shaped INSERT
 * (floor-grpc-server.ts), under the same load generator, connections and duration as the
 * gateway's command mix.
 */
export async function measureFloor(options: FloorOptions): Promise<HttpLoadResult> {
  const backend = await startListening('floor-grpc', './floor-grpc-server.js', {
    ...baseEnv(),
    DATABASE_URL: options.databaseUrl,
  });
  try {
    const edge = await startListening('floor-http', './floor-http-server.js', {
      ...baseEnv(),
      FLOOR_GRPC_ADDRESS: `127.0.0.1:${backend.port}`,
    });
    try {
      return await runHttpLoad({
        url: `http://127.0.0.1:${edge.port}`,
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        maxRequests: options.maxRequests,
        next: () => ({
          method: 'POST',
          path: '/floor',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ amount: '1.00' }),
        }),
      });
    } finally {
      await edge.child.stop(5000);
    }
  } finally {
    await backend.child.stop(5000);
  }
}
