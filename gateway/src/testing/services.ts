import { startCommandService, readConfig, type RunningCommandService } from '@bank/command-service';
import { EnvReader } from '@bank/platform';
import {
  readQueryServiceConfig,
  startQueryService,
  type RunningQueryService,
} from '@bank/query-service';
import type { TestSchema } from '@bank/testkit';

/**
 * The real command and query services in this process, on one test schema, for the gateway to
 * call: every business answer is the command service's own (its deciders, its store). Plaintext
 * gRPC, and caller tokens verified with the gateway's test secret. No projector runs, so the
 * read models stay empty: for command routes.
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
  const env = (own: Record<string, string>) =>
    new EnvReader({
      DATABASE_URL: schema.url,
      DATABASE_POOL_SIZE: '4',
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
      GRPC_INSECURE: 'true',
      JWT_SECRET: jwtSecret,
      ...own,
    });
  // The command service first: it creates the event store the query service reads the head of.
  const command: RunningCommandService = await startCommandService(readConfig(env({})));
  let query: RunningQueryService;
  try {
    query = await startQueryService(readQueryServiceConfig(env({})), { shutdownGraceMs: 100 });
  } catch (error) {
    await command.stop();
    throw error;
  }
  return {
    commandAddress: `127.0.0.1:${command.port}`,
    queryAddress: `127.0.0.1:${query.port}`,
    async stop() {
      await query.stop();
      await command.stop();
    },
  };
}
