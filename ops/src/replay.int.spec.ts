import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createTestTopic, testKafka, kafkaBrokers, type TestTopic } from '@bank/testkit';
import { toEventRecord } from './events/event-record.js';
import { CLI, createOpsFixture, runCli, type OpsFixture } from './testing/harness.js';
import { seedEvents } from './testing/seed.js';

describe('bank replay', () => {
  let fixture: OpsFixture;
  let topic: TestTopic;

  before(async () => {
    fixture = await createOpsFixture('ops_replay');
    await seedEvents(fixture.store, { accounts: 20, events: 2000 });
    topic = await createTestTopic('ops-replay', 3);
  });
  after(async () => {
    await topic?.delete();
    await fixture?.close();
  });

  it('writes a position range as NDJSON equal to the store', async () => {
    const result = await runCli(
      ['replay', '--from-position', '101', '--to-position', '600', '--batch-size', '64'],
      fixture.env,
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    const expected = (
      await fixture.store.readAll({ after: 100n, upTo: 600n, maxCount: 10_000 })
    ).map(toEventRecord);
    assert.equal(lines.length, 500);
    assert.deepEqual(lines, JSON.parse(JSON.stringify(expected)));
  });

  it('filters by type, stream prefix and exact stream', async () => {
    const deposits = await runCli(
      ['replay', '--type', 'FundsDeposited', '--type', 'TransferCompleted'],
      fixture.env,
    );
    const types = new Set(
      deposits.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { type: string }).type),
    );
    assert.deepEqual([...types].sort(), ['FundsDeposited', 'TransferCompleted']);

    const transfers = await runCli(['replay', '--stream-prefix', 'transfer-'], fixture.env);
    const streams = transfers.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { streamId: string }).streamId);
    assert.ok(streams.length > 0 && streams.every((s) => s.startsWith('transfer-')));

    const one = streams[0] as string;
    const single = await runCli(['replay', '--stream', one], fixture.env);
    const lines = single.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { streamId: string; revision: string });
    assert.deepEqual(
      lines.map((l) => l.revision),
      ['0', '1', '2', '3'],
    );
    assert.ok(lines.every((l) => l.streamId === one));
  });

  it('selects by recordedAt with --since/--until', async () => {
    const all = (await fixture.store.readAll({ maxCount: 10_000 })).map(toEventRecord);
    const middle = all[1000];
    if (!middle) throw new Error('seeded too few events');
    const result = await runCli(
      ['replay', '--since', middle.recordedAt, '--until', middle.recordedAt],
      fixture.env,
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { recordedAt: string });
    assert.ok(lines.length >= 1);
    assert.ok(lines.every((l) => l.recordedAt === middle.recordedAt));
    assert.deepEqual(
      lines,
      all
        .filter((e) => e.recordedAt === middle.recordedAt)
        .map((e) => JSON.parse(JSON.stringify(e)) as unknown),
    );
  });

  it('ends quietly with exit 0 when the reader closes the pipe', async () => {
    const child = spawn(process.execPath, [CLI, 'replay', '--batch-size', '10'], {
      env: { ...process.env, ...fixture.env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(code, 0, stderr);
    // Only the line naming the database: no error, no "nothing matched".
    assert.match(stderr, /^bank: database [^\n]* \(DATABASE_URL\)\n$/);
  });

  it('publishes a range to a Kafka topic in the relay format, consumed back equal', async () => {
    const env = { ...fixture.env, KAFKA_BROKERS: kafkaBrokers().join(',') };
    const result = await runCli(
      [
        'replay',
        '--to',
        'kafka',
        '--topic',
        topic.name,
        '--from-position',
        '1',
        '--to-position',
        '300',
        '--json',
      ],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { events: number }).events, 300);

    const consumer = testKafka('ops-replay-check').consumer({ groupId: `check-${topic.name}` });
    const received: Array<{
      key: string;
      value: { position: string; eventId: string };
      headers: Record<string, string>;
    }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: topic.name, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          );
          received.push({
            key: String(message.key),
            value: JSON.parse(String(message.value)) as { position: string; eventId: string },
            headers,
          });
          if (received.length === 300) resolve();
          return Promise.resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();
    const expected = (await fixture.store.readAll({ after: 0n, upTo: 300n, maxCount: 1000 })).map(
      toEventRecord,
    );
    received.sort((a, b) => Number(a.value.position) - Number(b.value.position));
    assert.deepEqual(
      received.map((r) => r.value),
      JSON.parse(JSON.stringify(expected)),
    );
    for (const r of received) {
      assert.equal(r.key, expected.find((e) => e.eventId === r.value.eventId)?.streamId);
      assert.equal(r.headers['event-id'], r.value.eventId);
      assert.equal(r.headers['position'], r.value.position);
      assert.equal(r.headers['stream-id'], r.key);
      assert.equal(r.headers['event-type'], (r.value as unknown as { type: string }).type);
    }
  });

  it('applies into the live views idempotently', async () => {
    const first = await runCli(['replay', '--to', 'projection', '--json'], fixture.env);
    assert.equal(first.code, 0, first.stderr);
    const again = await runCli(
      ['replay', '--to', 'projection', '--from-position', '500', '--json'],
      fixture.env,
    );
    assert.equal(again.code, 0, again.stderr);
    const verify = await runCli(['verify', '--settle-ms', '0'], fixture.env);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
});
