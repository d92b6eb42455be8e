import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { accountStream } from '@bank/domain';
import { grpc } from '@bank/platform';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import type { RunningCommandService } from './index.js';
import {
  call,
  connect,
  ctx,
  openFunded,
  rejectsWith,
  rpc,
  startTestService,
  TELLER,
  type Client,
} from './testing/harness.js';
import { headPosition, streamEvents } from './testing/store-queries.js';

describe('command idempotency', () => {
  let schema: TestSchema;
  let service: RunningCommandService;
  let client: Client;

  before(async () => {
    schema = await createTestSchema('cmd_idem');
    service = await startTestService(schema.url);
    client = connect(service.port);
  });
  after(async () => {
    client.close();
    await service.stop();
    await schema.drop();
  });

  it('has one effect for the same command id sent 20 times at once, and all replies agree', async () => {
    const accountId = await openFunded(client, '0');
    const context = ctx(TELLER, 'deposit-twenty-times');
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(client, rpc.deposit, { context, accountId, amount: '7.00' }),
      ),
    );
    const events = await streamEvents(schema.pool, accountStream(accountId));
    assert.equal(events.filter((e) => e.type === 'FundsDeposited').length, 1);
    assert.equal(replies.filter((r) => !r.replayed).length, 1);
    for (const reply of replies) {
      assert.deepEqual({ ...reply, replayed: false }, { ...replies[0], replayed: false });
      assert.equal(reply.account?.balance, '7.00');
      assert.equal(reply.position, events.at(-1)?.position.toString());
    }
  });

  it('has one effect when duplicates race through two instances on the same store', async () => {
    const other = await startTestService(schema.url);
    const otherClient = connect(other.port);
    try {
      const accountId = await openFunded(client, '0');
      const context = ctx(TELLER, 'deposit-two-instances');
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(i % 2 === 0 ? client : otherClient, rpc.deposit, {
            context,
            accountId,
            amount: '3.00',
          }),
        ),
      );
      const deposits = (await streamEvents(schema.pool, accountStream(accountId))).filter(
        (e) => e.type === 'FundsDeposited',
      );
      assert.equal(deposits.length, 1);
      assert.deepEqual(
        new Set(replies.map((r) => `${r.position}/${r.account?.revision}/${r.account?.balance}`))
          .size,
        1,
      );
    } finally {
      otherClient.close();
      await other.stop();
    }
  });

  it('replays a retried open without a given id onto the same account', async () => {
    const context = ctx(TELLER, 'open-retried');
    const first = await call(client, rpc.openAccount, { context, ownerId: 'o', currency: 'GBP' });
    const again = await call(client, rpc.openAccount, { context, ownerId: 'o', currency: 'GBP' });
    assert.equal(again.account?.accountId, first.account?.accountId);
    assert.equal(again.replayed, true);
    assert.equal(again.position, first.position);
  });

  it('answers a command id only to the actor that sent it first, and runs it once', async () => {
    const other = { id: 'teller-2', roles: ['teller'] };
    const opened = await call(client, rpc.openAccount, {
      context: ctx(TELLER, 'open-by-one-teller'),
      ownerId: 'o',
      currency: 'USD',
    });
    await rejectsWith(
      call(client, rpc.openAccount, {
        context: ctx(other, 'open-by-one-teller'),
        ownerId: 'p',
        currency: 'EUR',
      }),
      grpc.status.FAILED_PRECONDITION,
      { code: 'COMMAND_ID_REUSED' },
    );
    const accountId = opened.account?.accountId ?? assert.fail('no account');
    await call(client, rpc.deposit, {
      context: ctx(TELLER, 'deposit-by-one-teller'),
      accountId,
      amount: '0.01',
    });
    const head = await headPosition(schema.pool);
    await rejectsWith(
      call(client, rpc.deposit, {
        context: ctx(other, 'deposit-by-one-teller'),
        accountId,
        amount: '80.00',
      }),
      grpc.status.FAILED_PRECONDITION,
      { code: 'COMMAND_ID_REUSED' },
    );
    assert.equal(await headPosition(schema.pool), head);
    const events = await streamEvents(schema.pool, accountStream(accountId));
    assert.deepEqual(
      events.map((e) => e.type),
      ['AccountOpened', 'FundsDeposited'],
    );
    const again = await call(client, rpc.deposit, {
      context: ctx(TELLER, 'deposit-by-one-teller'),
      accountId,
      amount: '0.01',
    });
    assert.equal(again.replayed, true);
  });

  it("refuses a client's command id in the form of the service's own steps", async () => {
    const accountId = await openFunded(client, '10.00');
    const head = await headPosition(schema.pool);
    await rejectsWith(
      call(client, rpc.withdraw, {
        context: ctx(TELLER, `${accountId}:debit`),
        accountId,
        amount: '1.00',
      }),
      grpc.status.INVALID_ARGUMENT,
      { field: 'context.command_id' },
    );
    assert.equal(await headPosition(schema.pool), head);
  });

  it('answers a repeated command with its first result even after later changes', async () => {
    const accountId = await openFunded(client, '10.00');
    const context = ctx(TELLER, 'withdraw-once');
    const first = await call(client, rpc.withdraw, { context, accountId, amount: '4.00' });
    await call(client, rpc.deposit, { context: ctx(TELLER), accountId, amount: '100.00' });
    const again = await call(client, rpc.withdraw, { context, accountId, amount: '4.00' });
    assert.deepEqual({ ...again, replayed: false }, first);
    assert.equal(again.replayed, true);
  });

  it('decides a refused command again when it is retried (refusals are not stored)', async () => {
    const accountId = await openFunded(client, '1.00');
    const context = ctx(TELLER, 'withdraw-after-deposit');
    const head = await headPosition(schema.pool);
    await rejectsWith(
      call(client, rpc.withdraw, { context, accountId, amount: '2.00' }),
      grpc.status.FAILED_PRECONDITION,
      {
        code: 'INSUFFICIENT_FUNDS',
      },
    );
    assert.equal(await headPosition(schema.pool), head);
    await call(client, rpc.deposit, { context: ctx(TELLER), accountId, amount: '1.00' });
    const retried = await call(client, rpc.withdraw, { context, accountId, amount: '2.00' });
    assert.equal(retried.replayed, false);
    assert.equal(retried.account?.balance, '0.00');
  });

  it('remembers command ids across a restart', async () => {
    const accountId = await openFunded(client, '0');
    const context = ctx(TELLER, 'deposit-before-restart');
    const first = await call(client, rpc.deposit, { context, accountId, amount: '9.99' });
    client.close();
    await service.stop();
    service = await startTestService(schema.url);
    client = connect(service.port);
    const again = await call(client, rpc.deposit, { context, accountId, amount: '9.99' });
    assert.equal(again.replayed, true);
    assert.equal(again.position, first.position);
    assert.equal(again.account?.balance, '9.99');
    const deposits = (await streamEvents(schema.pool, accountStream(accountId))).filter(
      (e) => e.type === 'FundsDeposited',
    );
    assert.equal(deposits.length, 1);
  });
});
