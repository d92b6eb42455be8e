import { startCommandService, readConfig, type RunningCommandService } from '@bank/command-service';
import { EnvReader } from '@bank/platform';
import { readProjectorConfig, startProjector, type RunningProjector } from '@bank/projector';
import {
  readQueryServiceConfig,
  startQueryService,
  type RunningQueryService,
} from '@bank/query-service';
import type { TestSchema } from '@bank/testkit';

/**
 * The real command service, projector (embedded, no Kafka) and query service in this process, on
 * one test schema, for the gateway to call: every answer is the services' own (their deciders,
 * store and read models). Plaintext gRPC, and caller tokens verified with the gateway's test
 * secret. Reads see a write once the projection has caught up: pass the command's position as
 * X-Consistency-Token to wait for it.
 */
export interface RealUpstreams {
  readonly commandAddress: string;
  readonly queryAddress: string;
  stop(): Promise<void>;
}

export async function startRealUpstreams(
  schema: TestSchema,
  jwtSecret: string,
): Promise<RealUpstreams> {
  const variables = {
    DATABASE_URL: schema.url,
    DATABASE_POOL_SIZE: '4',
    GRPC_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    GRPC_INSECURE: 'true',
    JWT_SECRET: jwtSecret,
  };
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    // The command service first: it creates the event store the others read.
    const command: RunningCommandService = await startCommandService(
      readConfig(new EnvReader(variables)),
    );
    stops.push(() => command.stop());
    const {
      GRPC_PORT: _grpc,
      JWT_SECRET: _jwt,
      GRPC_INSECURE: _tls,
      ...projectorVariables
    } = variables;
    const projector: RunningProjector = await startProjector(
      readProjectorConfig(projectorVariables),
    );
    stops.push(() => projector.stop());
    const query: RunningQueryService = await startQueryService(
      readQueryServiceConfig(new EnvReader(variables)),
      { shutdownGraceMs: 100 },
    );
    stops.push(() => query.stop());
    return {
      commandAddress: `127.0.0.1:${command.port}`,
      queryAddress: `127.0.0.1:${query.port}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
