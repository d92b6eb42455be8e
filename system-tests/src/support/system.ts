import { randomBytes } from 'node:crypto';
import {
  createTestSchema,
  createTestTopic,
  kafkaBrokers,
  startStack,
  type Stack,
  type StackOptions,
  type StackRole,
  type TestSchema,
  type TestTopic,
} from '@bank/testkit';
import { createApi, type Api } from './api.js';
import { Client } from './client.js';

/** One spec file's system: its own PostgreSQL schema, Kafka topic and stack of processes. */
export interface System {
  readonly stack: Stack;
  readonly schema: TestSchema;
  /** Undefined in embedded mode. */
  readonly topic: TestTopic | undefined;
  /** A client calling the gateway as `sub` with `roles` (a fresh token). */
  as(sub: string, roles: readonly StackRole[]): Client;
  /** A client without any Authorization header. */
  anonymous(): Client;
  /** The typed client (generated from the gateway's document) as `sub` with `roles`. */
  api(sub: string, roles: readonly StackRole[]): Api;
  /** Events in the event store and the highest position (the store's head). */
  eventStoreHead(): Promise<{ count: number; position: bigint }>;
  stop(): Promise<void>;
}

export interface SystemOptions extends Pick<
  StackOptions,
  | 'commandInstances'
  | 'projectorRoles'
  | 'consumerInstances'
  | 'queryInstances'
  | 'gatewayInstances'
  | 'registry'
  | 'redisUrl'
  | 'env'
> {
  /** The projector's embedded mode (no Kafka topic) instead of the relay through Kafka. */
  readonly embedded?: boolean;
}

export async function startSystem(prefix: string, options: SystemOptions = {}): Promise<System> {
  const schema = await createTestSchema(prefix);
  const { embedded, ...stackOptions } = options;
  const topic = embedded ? undefined : await createTestTopic(`bank.events.${prefix}`, 3);
  let stack: Stack;
  try {
    stack = await startStack({
      ...stackOptions,
      databaseUrl: schema.url,
      ...(topic
        ? {
            kafka: { brokers: kafkaBrokers(), topic: topic.name, groupId: `${topic.name}-group` },
          }
        : {}),
      jwtSecret: randomBytes(32).toString('hex'),
      echo: process.env['SYSTEM_TESTS_ECHO'] === '1',
    });
  } catch (error) {
    await topic?.delete().catch(() => undefined);
    await schema.drop().catch(() => undefined);
    throw error;
  }
  return {
    stack,
    schema,
    topic,
    as: (sub, roles) => new Client(stack.gatewayUrl, stack.mintToken(sub, roles)),
    anonymous: () => new Client(stack.gatewayUrl, undefined),
    api: (sub, roles) => createApi(stack.gatewayUrl, stack.mintToken(sub, roles)),
    async eventStoreHead() {
      const { rows } = await schema.pool.query<{ count: string; position: string }>(
        'SELECT count(*)::text AS count, coalesce(max(position), 0)::text AS position FROM events',
      );
      const row = rows[0];
      return { count: Number(row?.count ?? 0), position: BigInt(row?.position ?? 0) };
    },
    async stop() {
      await stack.stop();
      await topic?.delete().catch(() => undefined);
      await schema.drop();
    },
  };
}
