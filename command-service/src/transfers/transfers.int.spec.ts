import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { accountStream, transferStream } from '@bank/domain';
import { grpc } from '@bank/platform';
import type pg from 'pg';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import type { RunningCommandService } from '../index.js';
import {
  ADMIN,
  call,
  connect,
  ctx,
  customer,
  openFunded,
  rejectsWith,
  rpc,
  startTestService,
  TRANSFER_MODES,
  type Client,
} from '../testing/harness.js';
import { accountFromStore, headPosition, streamEvents } from '../testing/store-queries.js';

/** Distinct inserting transactions among these events: 1 means they were one atomic append. */
async function transactionsWriting(pool: pg.Pool, eventIds: readonly string[]): Promise<number> {
  const { rows } = await pool.query<{ transactions: string }>(
    `SELECT count(DISTINCT xmin::text) AS transactions FROM events WHERE event_id = ANY($1::uuid[])`,
    [eventIds],
  );
  return Number(rows[0]?.transactions);
}

for (const mode of TRANSFER_MODES)
  describe(`transfers over gRPC, through ${mode.name}`, () => {
    let schema: TestSchema;
    let service: RunningCommandService;
    let client: Client;

    before(async () => {
      schema = await createTestSchema('cmd_transfers');
      service = await startTestService(schema.url, mode.env);
      client = connect(service.port);
    });
    after(async () => {
      client.close();
      await service.stop();
      await schema.drop();
    });

    const freeze = (accountId: string) =>
      call(client, rpc.freezeAccount, { context: ctx(ADMIN), accountId, reason: 'kyc' });
    const balance = async (accountId: string) => {
      const state = await accountFromStore(schema.pool, accountId);
      return state.status === 'none' ? undefined : state.balance;
    };

    it('completes a transfer in-line and answers with the final status and position', async () => {
      const from = await openFunded(client, '100.00', { ownerId: 'alice' });
      const to = await openFunded(client, '5.00', { ownerId: 'bob' });
      const reply = await call(client, rpc.requestTransfer, {
        context: ctx(customer('alice'), 'transfer-1'),
        fromAccountId: from,
        toAccountId: to,
        amount: '40.50',
        reference: 'rent',
      });
      assert.equal(reply.status, 'completed');
      assert.equal(reply.failureReason, '');
      assert.equal(reply.amount, '40.50');
      assert.equal(reply.currency, 'USD');
      assert.equal(reply.replayed, false);
      assert.equal(reply.position, (await headPosition(schema.pool)).toString());
      assert.equal(await balance(from), 5950n);
      assert.equal(await balance(to), 4550n);
      const steps = await streamEvents(schema.pool, transferStream(reply.transferId));
      const debit = (await streamEvents(schema.pool, accountStream(from))).find(
        (e) => e.type === 'TransferDebited',
      );
      const credit = (await streamEvents(schema.pool, accountStream(to))).find(
        (e) => e.type === 'TransferCredited',
      );
      assert.ok(debit && credit);
      assert.equal(steps[0]?.metadata['causationId'], 'transfer-1');
      // The same timeline either way; the three progress records share one command id.
      assert.deepEqual(
        steps.map((e) => e.type),
        [
          'TransferRequested',
          'TransferSourceDebited',
          'TransferDestinationCredited',
          'TransferCompleted',
        ],
      );
      for (const step of steps.slice(1)) {
        assert.equal(step.metadata['commandId'], steps[1]?.metadata['commandId']);
      }
      assert.equal(debit.metadata['commandId'], `${reply.transferId}:debit`);
      assert.equal(credit.metadata['commandId'], `${reply.transferId}:credit`);
      if (mode.atomic) {
        // Decided on both accounts, appended whole: one transaction, consecutive positions, the
        // record last; every event caused by the request's.
        const written = [debit, credit, ...steps];
        const ids = written.map((e) => e.eventId);
        assert.equal(await transactionsWriting(schema.pool, ids), 1);
        assert.deepEqual(
          written.map((e) => e.position - debit.position),
          [0n, 1n, 2n, 3n, 4n, 5n],
          'consecutive positions',
        );
        for (const event of written.slice(0, 2).concat(steps.slice(1))) {
          assert.equal(event.metadata['causationId'], steps[0]?.eventId);
        }
      } else {
        // Causation chains each append to the event before it; the request to the command. The
        // three progress records are one append after both legs, caused by the credit.
        assert.equal(debit.metadata['causationId'], steps[0]?.eventId);
        assert.equal(credit.metadata['causationId'], debit.eventId);
        for (const step of steps.slice(1)) {
          assert.equal(step.metadata['causationId'], credit.eventId);
        }
      }

      const repeat = () =>
        call(client, rpc.requestTransfer, {
          context: ctx(customer('alice'), 'transfer-1'),
          fromAccountId: from,
          toAccountId: to,
          amount: '40.50',
        });
      assert.deepEqual(await repeat(), { ...reply, replayed: true });
      assert.equal(await balance(from), 5950n);

      // The source could no longer pay it, but a retry of a recorded transfer gets its first answer.
      await call(client, rpc.withdraw, { context: ctx(), accountId: from, amount: '59.50' });
      assert.deepEqual(await repeat(), { ...reply, replayed: true });
      assert.equal(await balance(from), 0n);
    });

    it('refuses up front a transfer its source cannot pay, recording nothing', async () => {
      const from = await openFunded(client, '10.00');
      const frozen = await openFunded(client, '10.00');
      const to = await openFunded(client, '0');
      await freeze(frozen);
      const head = await headPosition(schema.pool);
      for (const [source, amount, code] of [
        [from, '10.01', 'INSUFFICIENT_FUNDS'],
        [frozen, '1', 'ACCOUNT_FROZEN'],
      ] as const) {
        await rejectsWith(
          call(client, rpc.requestTransfer, {
            context: ctx(),
            fromAccountId: source,
            toAccountId: to,
            amount,
          }),
          grpc.status.FAILED_PRECONDITION,
          { code },
        );
      }
      assert.equal(await headPosition(schema.pool), head);
      assert.equal(await balance(from), 1000n);
      assert.equal(await balance(to), 0n);
    });

    it(
      mode.atomic
        ? 'refuses a transfer whose money went elsewhere after the cached look, appending nothing'
        : 'records as failed a transfer whose money went elsewhere after the check, moving none',
      async () => {
        const from = await openFunded(client, '10.00'); // this instance now holds the source, funded
        const other = await startTestService(schema.url, mode.env);
        const otherClient = connect(other.port);
        try {
          // Another instance takes the money: this one's view of the source is now stale.
          await call(otherClient, rpc.withdraw, {
            context: ctx(),
            accountId: from,
            amount: '10.00',
          });
        } finally {
          otherClient.close();
          await other.stop();
        }
        const to = await openFunded(client, '0');
        const request = { context: ctx(), fromAccountId: from, toAccountId: to, amount: '5.00' };
        if (mode.atomic) {
          // Decided on the cached source, the append conflicts; decided again on the fresh one.
          const head = await headPosition(schema.pool);
          await rejectsWith(
            call(client, rpc.requestTransfer, request),
            grpc.status.FAILED_PRECONDITION,
            { code: 'INSUFFICIENT_FUNDS' },
          );
          assert.equal(await headPosition(schema.pool), head, 'nothing appended on any stream');
        } else {
          const reply = await call(client, rpc.requestTransfer, request);
          assert.equal(reply.status, 'failed');
          assert.equal(reply.failureReason, 'INSUFFICIENT_FUNDS');
          const legs = (await streamEvents(schema.pool, accountStream(from))).map((e) => e.type);
          assert.equal(legs.at(-1), 'TransferDebitDeclined');
        }
        assert.equal(await balance(from), 0n);
        assert.equal(await balance(to), 0n);
      },
    );

    it(
      mode.atomic
        ? 'fails a transfer the destination refuses, moving nothing, in one append'
        : 'refunds the source when the destination refuses the credit',
      async () => {
        const from = await openFunded(client, '10.00');
        const to = await openFunded(client, '0');
        await freeze(to);
        const head = await headPosition(schema.pool);
        const reply = await call(client, rpc.requestTransfer, {
          context: ctx(),
          fromAccountId: from,
          toAccountId: to,
          amount: '3',
        });
        assert.equal(reply.status, 'failed');
        assert.equal(reply.failureReason, 'ACCOUNT_FROZEN');
        assert.equal(await balance(from), 1000n);
        assert.equal(await balance(to), 0n);
        const legs = (await streamEvents(schema.pool, accountStream(from))).map((e) => e.type);
        if (mode.atomic) {
          assert.ok(!legs.includes('TransferDebited'), 'the source is not touched');
          const declined = (await streamEvents(schema.pool, accountStream(to))).at(-1);
          assert.equal(declined?.type, 'TransferCreditDeclined');
          const steps = await streamEvents(schema.pool, transferStream(reply.transferId));
          assert.deepEqual(
            steps.map((e) => e.type),
            ['TransferRequested', 'TransferFailed'],
          );
          assert.ok(declined);
          assert.equal(
            await transactionsWriting(
              schema.pool,
              [declined, ...steps].map((e) => e.eventId),
            ),
            1,
          );
          assert.equal(reply.position, (await headPosition(schema.pool)).toString());
          assert.equal(BigInt(reply.position) - head, 3n, 'three events, nothing else');
        } else {
          assert.deepEqual(legs.slice(-2), ['TransferDebited', 'TransferRefunded']);
        }
      },
    );

    it('refuses self, cross-currency and unknown-account transfers without appending', async () => {
      const usd = await openFunded(client, '10.00');
      const eur = await openFunded(client, '10.00', { currency: 'EUR' });
      const head = await headPosition(schema.pool);
      await rejectsWith(
        call(client, rpc.requestTransfer, {
          context: ctx(),
          fromAccountId: usd,
          toAccountId: usd,
          amount: '20', // more than the source holds: the transfer rule's own answer still wins
        }),
        grpc.status.FAILED_PRECONDITION,
        { code: 'SAME_ACCOUNT' },
      );
      await rejectsWith(
        call(client, rpc.requestTransfer, {
          context: ctx(),
          fromAccountId: usd,
          toAccountId: eur,
          amount: '20',
        }),
        grpc.status.FAILED_PRECONDITION,
        { code: 'CURRENCY_MISMATCH' },
      );
      await rejectsWith(
        call(client, rpc.requestTransfer, {
          context: ctx(),
          fromAccountId: usd,
          toAccountId: crypto.randomUUID(),
          amount: '1',
        }),
        grpc.status.NOT_FOUND,
        { code: 'ACCOUNT_NOT_FOUND' },
      );
      assert.equal(await headPosition(schema.pool), head);
    });
  });
