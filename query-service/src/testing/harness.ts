import { EnvReader, readTokenConfig, type GrpcTlsConfig } from '@bank/platform';
import { createTestSchema, testCertificates, testTlsConfig, type TestSchema } from '@bank/testkit';
import type { QueryServiceConfig } from '../environment.js';
import { startQueryService, type RunningQueryService } from '../index.js';
import { QueryClient } from './query-client.js';

/** One query service instance of a harness, with a client. */
export interface HarnessInstance {
  readonly service: RunningQueryService;
  readonly client: QueryClient;
  /**
   * Whether the instance's position watcher holds its LISTEN session, which it opens only while
   * a consistency wait is pending (and a moment after).
   */
  listening(): Promise<boolean>;
}

export interface Harness extends HarnessInstance {
  readonly schema: TestSchema;
  /** Another service instance on the same schema, e.g. with a different consistency wait. */
  startAnother(overrides: Partial<QueryServiceConfig>): Promise<HarnessInstance>;
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
  const extra: HarnessInstance[] = [];
  let started = 0;
  const start = async (config: QueryServiceConfig): Promise<HarnessInstance> => {
    // Each instance names its sessions, so a test can find them in pg_stat_activity.
    const applicationName = `${schema.name.slice(0, 56)}_${started++}`;
    const url = new URL(config.databaseUrl);
    url.searchParams.set('application_name', applicationName);
    const service = await startQueryService(
      { ...config, databaseUrl: url.toString() },
      { shutdownGraceMs: 1000 },
    );
    return {
      service,
      client: new QueryClient(`127.0.0.1:${service.port}`, tls),
      async listening() {
        const { rows } = await schema.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN %'`,
          [applicationName],
        );
        return rows.length > 0;
      },
    };
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
