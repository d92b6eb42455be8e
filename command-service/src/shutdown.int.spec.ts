import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { accountStream } from '@bank/domain';
import { grpc } from '@bank/platform';
import { createTestSchema, waitFor, type TestSchema } from '@bank/testkit';
import {
  call,
  connect,
  ctx,
  openFunded,
  rejectsWith,
  rpc,
  startTestService,
  TELLER,
} from './testing/harness.js';
import { headPosition, streamEvents } from './testing/store-queries.js';

/**
 * A transaction holding EXCLUSIVE on the event table lets reads through but blocks every
 * append: a way to keep a command in flight for as long as the test wants.
 */
/** How much later than the client's a call's deadline may be where the service measures it. */
const SERVER_DEADLINE_SLACK_MS = 1000;

async function blockAppends(schema: TestSchema): Promise<() => Promise<void>> {
  const client = await schema.pool.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE events IN EXCLUSIVE MODE');
  return async () => {
    await client.query('COMMIT');
    client.release();
  };
}

/** Locks on the event table that other sessions hold or wait for. */
async function eventTableLocks(schema: TestSchema): Promise<{ granted: number; waiting: number }> {
  const { rows } = await schema.pool.query<{ granted: number; waiting: number }>(
    `SELECT count(*) FILTER (WHERE granted)::int AS granted, count(*) FILTER (WHERE NOT granted)::int AS waiting
       FROM pg_locks WHERE relation = 'events'::regclass AND pid <> pg_backend_pid()`,
  );
  return rows[0] ?? { granted: 0, waiting: 0 };
}

describe('deadlines and graceful shutdown', () => {
  let schema: TestSchema;

  before(async () => {
    schema = await createTestSchema('cmd_shutdown');
  });
  after(async () => {
    await schema.drop();
  });

  it('answers DEADLINE_EXCEEDED when the deadline passes and does not start work after it', async () => {
    const service = await startTestService(schema.url);
    const client = connect(service.port);
    try {
      const accountId = await openFunded(client, '0');
      const release = await blockAppends(schema);
      const head = await headPosition(schema.pool);
      // The first is stuck appending; the second queues behind it on the same stream and must not start.
      const stuck = call(
        client,
        rpc.deposit,
        { context: ctx(TELLER), accountId, amount: '1' },
        { deadlineMs: 300 },
      );
      const queued = call(
        client,
        rpc.deposit,
        { context: ctx(TELLER), accountId, amount: '2' },
        { deadlineMs: 300 },
      );
      // Both at once: the two deadlines pass together, and neither rejection may go unhandled.
      await Promise.all([
        rejectsWith(stuck, grpc.status.DEADLINE_EXCEEDED),
        rejectsWith(queued, grpc.status.DEADLINE_EXCEEDED),
      ]);
      // The service counts a deadline from when the call reached it (grpc-timeout is relative),
      // which on a loaded machine is later than the client's: the queued call may start only
      // once the service's own deadline has passed too, so the append waits past it.
      await new Promise((resolve) => setTimeout(resolve, SERVER_DEADLINE_SLACK_MS));
      await release();
      await waitFor(async () => (await eventTableLocks(schema)).granted === 0, {
        description: 'the append under way to finish',
      });
      // The append already under way commits (a retry with its command id replays it); the queued one never ran.
      const deposits = (await streamEvents(schema.pool, accountStream(accountId))).filter(
        (e) => e.type === 'FundsDeposited',
      );
      assert.ok(deposits.length <= 1, `${deposits.length} deposits`);
      assert.ok((await headPosition(schema.pool)) <= head + 1n);
    } finally {
      client.close();
      await service.stop();
    }
  });

  it('stops taking calls on stop() but finishes the one in flight', async () => {
    const service = await startTestService(schema.url);
    const client = connect(service.port);
    const accountId = await openFunded(client, '0');
    const release = await blockAppends(schema);
    const inFlight = call(client, rpc.deposit, { context: ctx(TELLER), accountId, amount: '5.00' });
    await waitFor(async () => (await eventTableLocks(schema)).waiting > 0, {
      description: 'the deposit to be appending, blocked',
    });
    let stopped = false;
    const stopping = service.stop().then(() => (stopped = true));
    const late = connect(service.port);
    await assert.rejects(
      call(
        late,
        rpc.deposit,
        { context: ctx(TELLER), accountId, amount: '1.00' },
        { deadlineMs: 1000 },
      ),
    );
    late.close();
    assert.equal(stopped, false, 'stop waits for the call in flight');
    await release();
    const reply = await inFlight;
    assert.equal(reply.account?.balance, '5.00');
    await stopping;
    client.close();
    const deposits = (await streamEvents(schema.pool, accountStream(accountId))).filter(
      (e) => e.type === 'FundsDeposited',
    );
    assert.equal(deposits.length, 1);
  });
});
