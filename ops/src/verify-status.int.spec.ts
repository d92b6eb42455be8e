import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import {
  createTestTopic,
  kafkaBrokers,
  testKafka,
  withKafkaAdmin,
  type TestTopic,
} from '@bank/testkit';
import { createOpsFixture, runCli, type OpsFixture } from './testing/harness.js';
import { seedEvents, type Seeded } from './testing/seed.js';

describe('bank verify', () => {
  let fixture: OpsFixture;
  let seeded: Seeded;
  before(async () => {
    fixture = await createOpsFixture('ops_verify');
    seeded = await seedEvents(fixture.store, { accounts: 30, events: 3000 });
    const built = await runCli(['replay', '--to', 'projection'], fixture.env);
    assert.equal(built.code, 0, built.stderr);
  });
  after(() => fixture?.close());

  it('passes on a consistent system', async () => {
    const result = await runCli(['verify', '--batch-size', '250', '--json'], fixture.env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as {
      ok: boolean;
      accounts: number;
      transfers: number;
      events: number;
    };
    assert.equal(summary.ok, true);
    assert.equal(summary.accounts, 30);
    assert.equal(summary.transfers, seeded.transferIds.length);
    assert.equal(summary.events, seeded.events);
  });

  it('fails with exit 1, naming the account, field, expected and actual, after rows are corrupted', async () => {
    const [victim, other] = seeded.accountIds;
    const [transfer, unbatched] = seeded.transferIds;
    assert.ok(victim && other && transfer && unbatched);
    const strayBatch = '5b0f3c2e-8d41-4a7e-9c16-3e2d7a9b1f40';
    const before = await fixture
      .db('accounts')
      .where({ account_id: victim })
      .first<{ balance: string }>();
    await fixture.db.raw('UPDATE accounts SET balance = balance + 1 WHERE account_id = ?', [
      victim,
    ]);
    await fixture.db.raw(
      'DELETE FROM ledger_entries WHERE (account_id, revision) IN (SELECT account_id, revision FROM ledger_entries WHERE account_id = ? LIMIT 1)',
      [other],
    );
    await fixture.db.raw(`UPDATE transfers SET status = 'failed' WHERE transfer_id = ?`, [
      transfer,
    ]);
    await fixture.db.raw('UPDATE transfers SET batch_id = ? WHERE transfer_id = ?', [
      strayBatch,
      unbatched,
    ]);

    const result = await runCli(['verify', '--settle-ms', '0'], fixture.env);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const expected = BigInt(before?.balance ?? '0');
    assert.ok(
      result.stdout.includes(`account ${victim} balance: expected ${expected} `),
      result.stdout,
    );
    assert.match(
      result.stdout,
      new RegExp(
        `account ${victim} balance: expected ${expected} \\([0-9.]+ USD\\), actual ${expected + 1n} `,
      ),
    );
    assert.match(
      result.stdout,
      new RegExp(`account ${other} ledgerCount: expected \\d+, actual \\d+`),
    );
    assert.match(result.stdout, new RegExp(`account ${other} ledgerSum: `));
    assert.match(
      result.stdout,
      new RegExp(`transfer ${transfer} status: expected completed, actual failed`),
    );
    assert.match(
      result.stdout,
      new RegExp(`transfer ${unbatched} batchId: expected none, actual ${strayBatch}`),
    );
    assert.match(result.stdout, /DIFFERENCES: .* 5 differences/);
  });
});

describe('bank status and bank dlq', () => {
  let fixture: OpsFixture;
  let topic: TestTopic;
  let env: Record<string, string>;
  const dlq = (): string => `${topic.name}.dlq`;

  before(async () => {
    fixture = await createOpsFixture('ops_status');
    await seedEvents(fixture.store, { accounts: 5, events: 200 });
    topic = await createTestTopic('ops-status', 2);
    await withKafkaAdmin((admin) =>
      admin.createTopics({
        topics: [{ topic: dlq(), numPartitions: 2, replicationFactor: 1 }],
        waitForLeaders: true,
      }),
    );
    env = { ...fixture.env, KAFKA_BROKERS: kafkaBrokers().join(','), KAFKA_TOPIC: topic.name };
  });
  after(async () => {
    await withKafkaAdmin((admin) => admin.deleteTopics({ topics: [dlq()] })).catch(() => undefined);
    await topic?.delete();
    await fixture?.close();
  });

  const dead = async (count: number, from: number): Promise<void> => {
    const producer = testKafka('ops-dlq-writer').producer();
    await producer.connect();
    await producer.send({
      topic: dlq(),
      messages: Array.from({ length: count }, (_, i) => ({
        key: `account-${from + i}`,
        value: JSON.stringify({ n: from + i }),
        headers: {
          'event-id': `e${from + i}`,
          'dlq-reason': 'decode',
          error: 'bad payload',
          'original-offset': String(i),
        },
      })),
    });
    await producer.disconnect();
  };

  it('reports checkpoints, lag and the DLQ size', async () => {
    const head = await fixture.store.headPosition();
    await fixture.db('projection_checkpoints').insert([
      { name: 'relay', position: head.toString(), updated_at: fixture.db.fn.now() },
      { name: 'watermark:0', position: (head - 50n).toString(), updated_at: fixture.db.fn.now() },
      { name: 'watermark:1', position: (head - 20n).toString(), updated_at: fixture.db.fn.now() },
    ]);
    await dead(3, 0);
    const result = await runCli(['status', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const status = JSON.parse(result.stdout) as {
      head: string;
      consistentPosition: string;
      lagEvents: string;
      lagSeconds: number;
      dlq: { messages: string };
      checkpoints: Array<{ name: string }>;
    };
    assert.equal(status.head, head.toString());
    assert.equal(status.consistentPosition, (head - 50n).toString());
    assert.equal(status.lagEvents, '50');
    assert.ok(status.lagSeconds >= 0);
    assert.equal(status.dlq.messages, '3');
    assert.deepEqual(
      status.checkpoints.map((c) => c.name),
      ['relay', 'watermark:0', 'watermark:1'],
    );

    const text = await runCli(['status'], { ...fixture.env, KAFKA_BROKERS: '' });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /lag\s+50 events/);
    assert.match(text.stdout, /Kafka is not configured/);
  });

  it('lists DLQ messages with their error headers', async () => {
    const result = await runCli(['dlq', 'list', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const messages = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; headers: Record<string, string> });
    assert.equal(messages.length, 3);
    assert.deepEqual(messages.map((m) => m.key).sort(), ['account-0', 'account-1', 'account-2']);
    assert.ok(
      messages.every(
        (m) => m.headers['dlq-reason'] === 'decode' && m.headers['error'] === 'bad payload',
      ),
    );
  });

  it('shows one DLQ message by partition and offset', async () => {
    const listed = (await runCli(['dlq', 'list', '--json'], env)).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { partition: number; offset: string; key: string });
    const wanted = listed[0];
    assert.ok(wanted);
    const shown = await runCli(['dlq', 'show', `${wanted.partition}@${wanted.offset}`], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout), wanted);
    const missing = await runCli(['dlq', 'show', `${wanted.partition}@999`], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, new RegExp(`has no message at ${wanted.partition}@999`));
    const bad = await runCli(['dlq', 'show', '7'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /on Kafka a dead letter is <partition>@<offset>, e\.g\. 0@12/);
  });

  it('retries DLQ messages onto the main topic once, remembering the offsets', async () => {
    const first = await runCli(['dlq', 'retry', '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((JSON.parse(first.stdout) as { retried: number }).retried, 3);
    const second = await runCli(['dlq', 'retry', '--json'], env);
    assert.equal((JSON.parse(second.stdout) as { retried: number }).retried, 0, second.stderr);
    await dead(1, 3);
    // `replay` is the same command under its current name.
    const third = await runCli(['dlq', 'replay', '--json'], env);
    assert.equal((JSON.parse(third.stdout) as { retried: number }).retried, 1, third.stderr);

    const offsets = await withKafkaAdmin((admin) => admin.fetchTopicOffsets(topic.name));
    assert.equal(
      offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0),
      4,
    );
  });
});
