import { measureFastifyCeiling } from '../ceilings/fastify-hello.js';
import { startFloor } from '../ceilings/floor.js';
import { measureKafkaCeiling } from '../ceilings/kafka-roundtrip.js';
import { measurePostgresInsertCeiling } from '../ceilings/postgres-insert.js';
import { measureRabbitMqCeiling } from '../ceilings/rabbitmq-roundtrip.js';
import { rabbitmqUrl } from '@bank/testkit';
import type { BenchContext } from '../context.js';
import { cpuBetween, describePerUnit, snapshot } from '../infra/cpu-usage.js';
import { createBenchSchema } from '../infra/database.js';
import { pgPerUnit, readPgCounters } from '../infra/pg-counters.js';

const SCENARIO = '1 ceilings';

/** The three ceilings every later figure is divided by, measured now on this machine. */
export async function runCeilings(ctx: BenchContext): Promise<void> {
  const { options, results } = ctx;
  await postgres(ctx);

  ctx.log(
    `ceiling: Fastify hello-world, ${options.concurrency} connections, ${options.durationSeconds} s`,
  );
  const fastify = await measureFastifyCeiling({
    connections: options.concurrency,
    durationSeconds: options.durationSeconds,
    maxRequests: options.maxRequests * 5,
  });
  ctx.ceilings.fastify = { name: 'Fastify hello', value: fastify.okThroughput, unit: 'req/s' };
  results.add({
    scenario: SCENARIO,
    metric: `Fastify hello-world (${options.concurrency} conns)`,
    value: fastify.okThroughput,
    unit: 'req/s',
    note: `p99 ${fastify.latency.p99.toFixed(1)} ms, ${fastify.outcomes.errors} errors`,
  });

  await kafka(ctx);
  await rabbitmq(ctx);
}

async function postgres(ctx: BenchContext): Promise<void> {
  const { options, results } = ctx;
  ctx.log(
    `ceiling: PostgreSQL single-row INSERT+COMMIT, ${options.concurrency} connections, ${options.durationSeconds} s`,
  );
  const schema = await createBenchSchema('ceiling');
  try {
    const pg = await measurePostgresInsertCeiling({
      databaseUrl: schema.url,
      concurrency: options.concurrency,
      durationSeconds: options.durationSeconds,
      maxOperations: options.maxRequests * 5,
    });
    ctx.ceilings.postgresInsert = { name: 'PG insert', value: pg.okThroughput, unit: 'rows/s' };
    results.add({
      scenario: SCENARIO,
      metric: `PostgreSQL INSERT+COMMIT (${options.concurrency} conns)`,
      value: pg.okThroughput,
      unit: 'rows/s',
      note: `p50 ${pg.latency.p50.toFixed(2)} ms, p99 ${pg.latency.p99.toFixed(2)} ms`,
    });
    await floor(ctx, schema.url);
  } finally {
    await schema.drop();
  }
}

/**
 * The second write ceiling: the architecture's hops with no business logic (floor.ts), same
 * connections, load generator and duration as the gateway's command mix, with its CPU and WAL
 * flushes per request beside it.
 */
async function floor(ctx: BenchContext, databaseUrl: string): Promise<void> {
  const { options, results } = ctx;
  ctx.log(
    `ceiling: floor (Fastify -> grpc-js unary -> group-committed INSERT), ${options.concurrency} connections, ${options.durationSeconds} s`,
  );
  const running = await startFloor({
    databaseUrl,
    connections: options.concurrency,
    maxRequests: options.maxRequests,
  });
  let result, cpu, pg;
  try {
    await running.load(1); // the table's first pages and the JIT, as the command phases' warm-up
    const cpuBefore = snapshot();
    const pgBefore = await readPgCounters();
    result = await running.load(options.durationSeconds);
    // Before the processes exit: their CPU is read from /proc.
    cpu = cpuBetween(cpuBefore, snapshot());
    pg = pgPerUnit(pgBefore, await readPgCounters(), result.outcomes.total);
  } finally {
    await running.stop();
  }
  ctx.ceilings.floor = { name: 'floor', value: result.okThroughput, unit: 'req/s' };
  results.againstCeiling(
    {
      scenario: SCENARIO,
      metric: `floor: Fastify -> grpc-js -> group-committed INSERT (${options.concurrency} conns)`,
      value: result.okThroughput,
      unit: 'req/s',
      note:
        `p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms, ` +
        `${result.outcomes.errors + result.outcomes.rejections} errors; ` +
        `${pg.walFlushes.toFixed(3)} WAL flushes and ${pg.transactions.toFixed(3)} transactions per request; ` +
        describePerUnit(cpu, result.outcomes.total, 'request'),
    },
    ctx.ceilings.postgresInsert,
  );
}

async function kafka(ctx: BenchContext): Promise<void> {
  const { options, results } = ctx;
  let lease;
  try {
    lease = await ctx.kafka();
  } catch (error) {
    results.notRun(
      `${SCENARIO} (Kafka)`,
      `no Kafka broker: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
    return;
  }
  ctx.log(
    `ceiling: kafkajs produce -> consume on ${lease.brokers}, up to ${options.kafkaMessages} messages`,
  );
  const result = await measureKafkaCeiling({
    brokers: lease.brokers,
    topic: `bench-ceiling-${ctx.runId}`,
    partitions: 6,
    durationSeconds: options.durationSeconds,
    maxMessages: options.kafkaMessages,
  });
  ctx.ceilings.kafka = { name: 'Kafka round trip', value: result.roundTripRate, unit: 'msg/s' };
  results.add({
    scenario: SCENARIO,
    metric: 'kafkajs produce->consume (6 partitions, acks=all)',
    value: result.roundTripRate,
    unit: 'msg/s',
    note: `${result.consumed}/${result.produced} consumed; produce alone ${Math.round(result.produceRate)} msg/s`,
  });
}

/** The same messages and batches as the Kafka row, on RabbitMQ (docs/architecture.md, messaging). */
async function rabbitmq(ctx: BenchContext): Promise<void> {
  const { options, results } = ctx;
  const url = rabbitmqUrl();
  ctx.log(
    `ceiling: RabbitMQ publish (confirms) -> consume (manual acks), up to ${options.kafkaMessages} messages`,
  );
  let result;
  try {
    result = await measureRabbitMqCeiling({
      url,
      queue: `bench-ceiling-${ctx.runId}`,
      durationSeconds: options.durationSeconds,
      maxMessages: options.kafkaMessages,
      prefetch: 1000,
    });
  } catch (error) {
    results.notRun(
      `${SCENARIO} (RabbitMQ)`,
      `no RabbitMQ at ${url.replace(/\/\/[^@]*@/, '//')}: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
    return;
  }
  results.add({
    scenario: SCENARIO,
    metric: 'RabbitMQ publish->consume (durable queue, confirms, manual acks)',
    value: result.roundTripRate,
    unit: 'msg/s',
    note:
      `${result.consumed}/${result.produced} consumed; publish alone ${Math.round(result.produceRate)} msg/s` +
      (ctx.ceilings.kafka
        ? `; ${(result.roundTripRate / ctx.ceilings.kafka.value).toFixed(2)}x the Kafka row`
        : ''),
  });
}
