import { EnvReader, readTokenConfig, type GrpcTlsConfig } from '@bank/platform';
import { createTestSchema, testCertificates, testTlsConfig, type TestSchema } from '@bank/testkit';
import type { QueryServiceConfig } from '../environment.js';
import { startQueryService, type RunningQueryService } from '../index.js';
import { QueryClient } from './query-client.js';

export interface Harness {
  readonly schema: TestSchema;
  readonly service: RunningQueryService;
  readonly client: QueryClient;
  /** Another service instance on the same schema, e.g. with a different consistency wait. */
  startAnother(
    overrides: Partial<QueryServiceConfig>,
  ): Promise<{ service: RunningQueryService; client: QueryClient }>;
  close(): Promise<void>;
}

export function testConfig(
  databaseUrl: string,
  grpcTls: GrpcTlsConfig,
  overrides: Partial<QueryServiceConfig> = {},
): QueryServiceConfig {
  return {
    grpcTls,
    logLevel: 'silent',
    databaseUrl,
    databasePoolSize: 5,
    metricsHost: '127.0.0.1',
    metricsPort: 0,
    grpcHost: '127.0.0.1',
    grpcPort: 0,
    consistencyWaitMs: 3000,
    consistencyPollMs: 250,
    eventStoreConnectionString: undefined,
    ...readTokenConfig(new EnvReader({})),
    ...overrides,
  };
}

/**
 * A real query service on a fresh schema (its migrations create the views), with a client.
 * Tests seed the views with SQL through `schema.pool`.
 */
export async function startHarness(overrides: Partial<QueryServiceConfig> = {}): Promise<Harness> {
  const schema = await createTestSchema('qs');
  await testCertificates();
  const tls = testTlsConfig();
  const extra: { service: RunningQueryService; client: QueryClient }[] = [];
  const start = async (config: QueryServiceConfig) => {
    const service = await startQueryService(config, { shutdownGraceMs: 1000 });
    return { service, client: new QueryClient(`127.0.0.1:${service.port}`, tls) };
  };
  const main = await start(testConfig(schema.url, tls, overrides));
  return {
    schema,
    ...main,
    async startAnother(more) {
      const another = await start(testConfig(schema.url, tls, { ...overrides, ...more }));
      extra.push(another);
      return another;
    },
    async close() {
      for (const { service, client } of [...extra, main]) {
        client.close();
        await service.stop();
      }
      await schema.drop();
    },
  };
}
