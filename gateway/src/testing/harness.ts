import { createLogger } from '@bank/platform';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../app.js';
import { mintDevelopmentToken } from '@bank/platform';
import type { Role } from '@bank/platform';
import { readGatewayConfig, type GatewayConfig } from '../environment.js';
import { renderOpenApiDocument } from '../openapi-document.js';
import {
  DomainBank,
  startFakeCommandService,
  startFakeQueryService,
  type FakeService,
} from './domain-bank.js';
import { startRealUpstreams, type RealUpstreams } from './services.js';

export const TEST_SECRET = 'gateway-test-secret-0123456789-abcdefghij';

/** A config as the environment would give it, with the test's fake upstreams and secret. */
export function testConfig(
  env: Record<string, string>,
  overrides: Partial<GatewayConfig> = {},
): GatewayConfig {
  return {
    ...readGatewayConfig({
      JWT_SECRET: TEST_SECRET,
      LOG_LEVEL: 'silent',
      PORT: '0',
      // The fake upstreams are plaintext test doubles.
      GRPC_INSECURE: 'true',
      ...env,
    }),
    ...overrides,
  };
}

/** The gateway in this process, whatever stands behind it. */
export interface Gateway {
  readonly app: FastifyInstance;
  readonly config: GatewayConfig;
  readonly schema: TestSchema | undefined;
  token(sub: string, roles: readonly Role[], ttlSeconds?: number): Promise<string>;
  /** app.inject with a bearer token of (sub, roles) and JSON handling. */
  as(
    sub: string,
    roles: readonly Role[],
  ): (options: InjectOptions) => Promise<LightMyRequestResponse>;
  /** Listens on a free loopback port (for tests that need real sockets); answers the port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export interface Harness extends Gateway {
  readonly bank: DomainBank;
  readonly commandServices: FakeService[];
  readonly queryService: FakeService;
}

interface HarnessOptions {
  env?: Record<string, string>;
  overrides?: Partial<GatewayConfig>;
}

/**
 * The gateway against stand-in upstreams whose answers come from the domain's deciders (see
 * domain-bank.ts).
 */
export async function startHarness(
  options: HarnessOptions & { commandInstances?: number } = {},
): Promise<Harness> {
  const bank = new DomainBank();
  const commandServices: FakeService[] = [];
  for (let i = 0; i < (options.commandInstances ?? 1); i++) {
    commandServices.push(await startFakeCommandService(bank, { instance: `command-${i}` }));
  }
  const queryService = await startFakeQueryService(bank);
  const gateway = await startGateway(
    {
      COMMAND_SERVICE_ADDRESS: commandServices.map((s) => s.address).join(','),
      QUERY_SERVICE_ADDRESS: queryService.address,
    },
    undefined,
    options,
    () => Promise.all([...commandServices, queryService].map((s) => s.stop(100))),
  );
  return { ...gateway, bank, commandServices, queryService };
}

export interface ServicesHarness extends Gateway {
  /**
   * Opens an account through the gateway (as a teller), deposits `balance` into it, and answers
   * its id once reads show it.
   */
  seedAccount(options: { ownerId: string; currency?: string; balance?: string }): Promise<string>;
}

/**
 * The gateway against the real command service, projector and query service in this process
 * (see services.ts), all on one fresh PostgreSQL schema.
 */
export async function startServicesHarness(options: HarnessOptions = {}): Promise<ServicesHarness> {
  const schema = await createTestSchema('gw');
  let upstreams: RealUpstreams;
  try {
    upstreams = await startRealUpstreams(schema, TEST_SECRET);
  } catch (error) {
    await schema.drop();
    throw error;
  }
  const gateway = await startGateway(
    {
      COMMAND_SERVICE_ADDRESS: upstreams.commandAddress,
      QUERY_SERVICE_ADDRESS: upstreams.queryAddress,
    },
    schema,
    options,
    () => upstreams.stop(),
  );
  const teller = gateway.as('teller-seeder', ['teller']);
  const command = async (url: string, payload: object) => {
    const response = await teller({
      method: 'POST',
      url,
      headers: { 'idempotency-key': newKey() },
      payload,
    });
    if (response.statusCode >= 300) throw new Error(`seeding: ${url} ${response.body}`);
    return response.json<{ account: { id: string }; position: string }>();
  };
  return {
    ...gateway,
    async seedAccount({ ownerId, currency = 'USD', balance }) {
      const opened = await command('/v1/accounts', { ownerId, currency });
      const id = opened.account.id;
      const last = balance
        ? await command(`/v1/accounts/${id}/deposits`, { amount: balance })
        : opened;
      const read = await teller({
        method: 'GET',
        url: `/v1/accounts/${id}`,
        headers: { 'x-consistency-token': last.position },
      });
      if (read.statusCode !== 200)
        throw new Error(`seeding: account ${id} not readable: ${read.body}`);
      return id;
    },
  };
}

async function startGateway(
  upstreamEnv: Record<string, string>,
  schema: TestSchema | undefined,
  options: HarnessOptions,
  stopUpstreams: () => Promise<unknown>,
): Promise<Gateway> {
  const config = testConfig({ ...upstreamEnv, ...options.env }, options.overrides);
  const app = await buildApp(config, {
    logger: createLogger({ service: 'gateway-test', level: 'silent' }),
  });
  await app.ready();
  const token = (sub: string, roles: readonly Role[], ttlSeconds?: number) =>
    mintDevelopmentToken({
      sub,
      roles,
      secret: TEST_SECRET,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    });
  return {
    app,
    config,
    schema,
    token,
    as(sub, roles) {
      const pending = token(sub, roles);
      return async (inject) => {
        const bearer = await pending;
        return app.inject({
          ...inject,
          headers: { authorization: `Bearer ${bearer}`, ...(inject.headers ?? {}) },
        });
      };
    },
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (!address || typeof address !== 'object') throw new Error('the gateway is not listening');
      return address.port;
    },
    async close() {
      await app.close();
      await stopUpstreams();
      await schema?.drop();
    },
  };
}

let keyCounter = 0;
/** A fresh Idempotency-Key. */
export const newKey = (): string => `key-${process.pid}-${Date.now()}-${++keyCounter}`;

/** The document GET /openapi.json serves, from an app whose upstreams are never called. */
export async function servedDocument<T>(): Promise<T> {
  return (await renderOpenApiDocument()) as T;
}
