import type pg from 'pg';
import { guarded } from '../cleanup.js';
import type { BenchContext } from '../context.js';
import { ensureEventTable, seedAccountStreams } from '../seed/account-streams.js';
import { startStack, type RunningStack } from '../stack.js';
import { createBenchSchema, dropBenchSchema } from './database.js';
import { deleteTopics } from './kafka.js';
import { headPosition, WatermarkWatcher } from './watermark.js';

export interface StackSession {
  readonly stack: RunningStack;
  readonly schemaUrl: string;
  readonly pool: pg.Pool;
  readonly watcher: WatermarkWatcher;
  readonly accounts: readonly string[];
  readonly hotAccounts: readonly string[];
  readonly kafka: boolean;
  /** The projector working through the seeded events after start-up. */
  readonly catchUp: { readonly events: number; readonly seconds: number };
}

export interface SessionOptions {
  readonly label: 'kafka' | 'embedded';
  readonly accounts: number;
  readonly hotAccounts: number;
}

/** One USD account of 1,000,000.00: enough that no command of a bench run is refused for funds. */
const OPENING_DEPOSIT = 100_000_000n;

/**
 * A fresh schema with seeded accounts, the whole stack on it (Kafka or embedded projector),
 * caught up; `body` runs against it; then the stack stops and the schema (and topics) go.
 */
export async function withStack<T>(
  ctx: BenchContext,
  options: SessionOptions,
  body: (session: StackSession) => Promise<T>,
): Promise<T> {
  const schema = await createBenchSchema(options.label);
  const lease = options.label === 'kafka' ? await ctx.kafka() : undefined;
  const topic = `bench-${ctx.runId}-${options.label}`;
  const dropAll = async (): Promise<void> => {
    await dropBenchSchema(schema);
    if (lease) await deleteTopics(lease.brokers, [topic, `${topic}.dlq`]).catch(() => undefined);
  };
  return guarded(`schema ${schema.name}`, dropAll, async () => {
    await ensureEventTable(schema.url);
    const seedStarted = performance.now();
    const ids = await seedAccountStreams(schema.pool, {
      accounts: options.accounts + options.hotAccounts,
      eventsPerAccount: 2,
      openingDeposit: OPENING_DEPOSIT,
      ownerId: 'bench-owner',
      spreadDays: 0,
    });
    ctx.log(
      `seeded ${ids.length} accounts (${ids.length * 2} events, bulk SQL) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s ` +
        `into schema ${schema.name}`,
    );
    const stack = await startStack({
      label: options.label,
      databaseUrl: schema.url,
      kafka: lease ? { brokers: lease.brokers, topic, groupId: topic } : undefined,
      jwtSecret: ctx.jwtSecret,
      poolSize: Math.max(10, ctx.options.concurrency),
      log: (line) => ctx.log(line),
    });
    return guarded(
      `stack ${options.label}`,
      () => stack.stop(),
      async () => {
        const watcher = new WatermarkWatcher(schema.url);
        await watcher.start();
        return guarded(
          'watermark watcher',
          () => watcher.stop(),
          async () => {
            const head = await headPosition(schema.pool);
            const began = performance.now();
            await watcher.waitFor(head, 180_000);
            const seconds = (performance.now() - began) / 1000;
            ctx.log(
              `projection caught up with ${head} seeded events ${seconds.toFixed(1)} s after the stack was ready`,
            );
            return body({
              stack,
              schemaUrl: schema.url,
              pool: schema.pool,
              watcher,
              accounts: ids.slice(0, options.accounts),
              hotAccounts: ids.slice(options.accounts),
              kafka: lease !== undefined,
              catchUp: { events: Number(head), seconds },
            });
          },
        );
      },
    );
  });
}
