import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { accountStream } from '@bank/domain';
import { grpc, grpcChannelCredentials, METADATA } from '@bank/platform';
import { createTestSchema, testTlsConfig, type TestSchema } from '@bank/testkit';
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
  TELLER,
  tokenOf,
  type Client,
} from '../testing/harness.js';
import { accountFromStore, headPosition, streamEvents } from '../testing/store-queries.js';

const FIXED_NOW = new Date('2030-06-01T12:00:00.000Z');

describe('account commands over gRPC', () => {
  let schema: TestSchema;
  let service: RunningCommandService;
  let client: Client;

  before(async () => {
    schema = await createTestSchema('cmd_accounts');
    service = await startTestService(schema.url, {}, { clock: () => FIXED_NOW });
    client = connect(service.port);
  });
  after(async () => {
    client.close();
    await service.stop();
    await schema.drop();
  });

  it('runs every account RPC and answers with revision, balances and position', async () => {
    const opened = await call(client, rpc.openAccount, {
      context: ctx(TELLER),
      ownerId: 'alice',
      currency: 'EUR',
      type: 'savings',
      overdraftLimit: '50',
    });
    const accountId = opened.account?.accountId ?? assert.fail('no account');
    assert.deepEqual(opened.account, {
      accountId,
      ownerId: 'alice',
      currency: 'EUR',
      type: 'savings',
      status: 'open',
      balance: '0.00',
      available: '50.00',
      held: '0.00',
      overdraftLimit: '50.00',
      revision: '0',
    });
    assert.equal(opened.replayed, false);

    const deposited = await call(client, rpc.deposit, {
      context: ctx(TELLER),
      accountId,
      amount: '100.10',
    });
    assert.equal(deposited.account?.balance, '100.10');
    assert.equal(deposited.account?.revision, '1');
    assert.ok(BigInt(deposited.position) > BigInt(opened.position));

    const withdrawn = await call(client, rpc.withdraw, {
      context: ctx(customer('alice')),
      accountId,
      amount: '0.10',
    });
    assert.equal(withdrawn.account?.balance, '100.00');

    const held = await call(client, rpc.placeHold, {
      context: ctx(TELLER),
      accountId,
      amount: '30',
      expiresAt: '2030-06-02T00:00:00Z',
    });
    assert.match(held.holdId, /^[0-9a-f-]{36}$/);
    assert.equal(held.account?.held, '30.00');
    assert.equal(held.account?.available, '120.00');

    const captured = await call(client, rpc.captureHold, {
      context: ctx(TELLER),
      accountId,
      holdId: held.holdId,
      amount: '10',
    });
    assert.equal(captured.account?.balance, '90.00');
    assert.equal(captured.account?.held, '0.00');
    assert.equal(captured.released, '20.00');

    const second = await call(client, rpc.placeHold, {
      context: ctx(ADMIN),
      accountId,
      amount: '5',
    });
    const released = await call(client, rpc.releaseHold, {
      context: ctx(ADMIN),
      accountId,
      holdId: second.holdId,
    });
    assert.equal(released.account?.held, '0.00');
    assert.equal(released.account?.available, '140.00');

    const frozen = await call(client, rpc.freezeAccount, {
      context: ctx(ADMIN),
      accountId,
      reason: 'audit',
    });
    assert.equal(frozen.account?.status, 'frozen');
    await rejectsWith(
      call(client, rpc.withdraw, { context: ctx(ADMIN), accountId, amount: '1' }),
      grpc.status.FAILED_PRECONDITION,
      { code: 'ACCOUNT_FROZEN' },
    );
    const unfrozen = await call(client, rpc.unfreezeAccount, { context: ctx(ADMIN), accountId });
    assert.equal(unfrozen.account?.status, 'open');

    const limited = await call(client, rpc.changeOverdraftLimit, {
      context: ctx(ADMIN),
      accountId,
      overdraftLimit: '0',
    });
    assert.equal(limited.account?.available, '90.00');

    await rejectsWith(
      call(client, rpc.closeAccount, { context: ctx(customer('alice')), accountId }),
      grpc.status.FAILED_PRECONDITION,
      { code: 'ACCOUNT_NOT_EMPTY' },
    );
    await call(client, rpc.withdraw, { context: ctx(TELLER), accountId, amount: '90' });
    const closed = await call(client, rpc.closeAccount, {
      context: ctx(customer('alice')),
      accountId,
    });
    assert.equal(closed.account?.status, 'closed');
    assert.equal(closed.account?.revision, '11');

    const events = await streamEvents(schema.pool, accountStream(accountId));
    assert.deepEqual(
      events.map((e) => e.revision),
      events.map((_, i) => BigInt(i)),
    );
    assert.equal(events.at(-1)?.position.toString(), closed.position);
  });

  it('answers what a capture released, the same when the capture is repeated', async () => {
    const accountId = await openFunded(client, '1000', { currency: 'JPY' });
    const hold = (amount: string) =>
      call(client, rpc.placeHold, { context: ctx(TELLER), accountId, amount });
    const partial = await hold('300');
    const context = ctx(TELLER);
    const capture = { context, accountId, holdId: partial.holdId, amount: '120' };
    const captured = await call(client, rpc.captureHold, capture);
    assert.deepEqual(
      { released: captured.released, held: captured.account?.held, replayed: captured.replayed },
      { released: '180', held: '0', replayed: false },
    );
    assert.deepEqual(await call(client, rpc.captureHold, capture), {
      ...captured,
      replayed: true,
    });

    const whole = await hold('50');
    const all = await call(client, rpc.captureHold, {
      context: ctx(TELLER),
      accountId,
      holdId: whole.holdId,
    });
    assert.equal(all.released, '0');
    assert.equal(all.account?.balance, '830');
    // Only a capture releases part of a hold; the other replies leave `released` empty.
    assert.equal(whole.released, '');

    // A capture under the command id of another command on the account: a clear refusal.
    const other = await hold('10');
    const deposit = ctx(TELLER);
    await call(client, rpc.deposit, { context: deposit, accountId, amount: '5' });
    await rejectsWith(
      call(client, rpc.captureHold, { context: deposit, accountId, holdId: other.holdId }),
      grpc.status.FAILED_PRECONDITION,
      { code: 'COMMAND_ID_REUSED' },
    );
  });

  it('stamps metadata: command, correlation and causation ids, actor, clock time, schema version', async () => {
    const reply = await call(
      client,
      rpc.openAccount,
      { context: ctx(customer('bob'), 'open-bob-1'), currency: 'JPY' },
      { correlationId: 'corr-123' },
    );
    assert.equal(reply.account?.ownerId, 'bob');
    const [event] = await streamEvents(schema.pool, accountStream(reply.account?.accountId ?? ''));
    assert.deepEqual(event?.metadata, {
      eventId: event?.eventId,
      commandId: 'open-bob-1',
      correlationId: 'corr-123',
      causationId: 'open-bob-1',
      actor: { id: 'bob', roles: ['customer'] },
      occurredAt: FIXED_NOW.toISOString(),
      schemaVersion: 1,
    });
    assert.equal(event?.data['overdraftLimit'], '0');
  });

  it('refuses bad input with INVALID_ARGUMENT naming the field, appending nothing', async () => {
    const accountId = await openFunded(client, '10.00');
    const cases: Array<[string, () => Promise<unknown>, string]> = [
      [
        'negative',
        () => call(client, rpc.deposit, { context: ctx(), accountId, amount: '-1.00' }),
        'amount',
      ],
      [
        'zero',
        () => call(client, rpc.deposit, { context: ctx(), accountId, amount: '0' }),
        'amount',
      ],
      [
        'over-precise',
        () => call(client, rpc.deposit, { context: ctx(), accountId, amount: '1.234' }),
        'amount',
      ],
      [
        'exponent',
        () => call(client, rpc.deposit, { context: ctx(), accountId, amount: '1e3' }),
        'amount',
      ],
      [
        'trailing dot',
        () => call(client, rpc.withdraw, { context: ctx(), accountId, amount: '12.' }),
        'amount',
      ],
      [
        'huge',
        () => call(client, rpc.deposit, { context: ctx(), accountId, amount: '1'.padEnd(30, '0') }),
        'amount',
      ],
      [
        'just above max',
        () => call(client, rpc.deposit, { context: ctx(), accountId, amount: '10000000000000.01' }),
        'amount',
      ],
      ['missing amount', () => call(client, rpc.deposit, { context: ctx(), accountId }), 'amount'],
      [
        'hold amount',
        () => call(client, rpc.placeHold, { context: ctx(), accountId, amount: '0.001' }),
        'amount',
      ],
      [
        'hold expiry',
        () =>
          call(client, rpc.placeHold, {
            context: ctx(),
            accountId,
            amount: '1',
            expiresAt: 'soon',
          }),
        'expires_at',
      ],
      [
        'unknown currency',
        () => call(client, rpc.openAccount, { context: ctx(), currency: 'XYZ' }),
        'currency',
      ],
      ['missing currency', () => call(client, rpc.openAccount, { context: ctx() }), 'currency'],
      [
        'account type',
        () => call(client, rpc.openAccount, { context: ctx(), currency: 'USD', type: 'gold' }),
        'type',
      ],
      [
        'overdraft',
        () =>
          call(client, rpc.openAccount, { context: ctx(), currency: 'USD', overdraftLimit: '-5' }),
        'overdraft_limit',
      ],
      [
        'malformed account id',
        () => call(client, rpc.deposit, { context: ctx(), accountId: 'acc-1', amount: '1' }),
        'account_id',
      ],
      [
        'missing account id',
        () => call(client, rpc.withdraw, { context: ctx(), amount: '1' }),
        'account_id',
      ],
      [
        'malformed hold id',
        () => call(client, rpc.releaseHold, { context: ctx(), accountId, holdId: 'h1' }),
        'hold_id',
      ],
      [
        'missing context',
        async () =>
          call(client, rpc.deposit, { accountId, amount: '1' }, { token: await tokenOf(ADMIN) }),
        'context',
      ],
      [
        'missing command id',
        () => call(client, rpc.deposit, { context: { actor: ADMIN }, accountId, amount: '1' }),
        'context.command_id',
      ],
      [
        'malformed transfer account',
        () =>
          call(client, rpc.requestTransfer, {
            context: ctx(),
            fromAccountId: accountId,
            toAccountId: 'nope',
            amount: '1',
          }),
        'to_account_id',
      ],
      [
        'transfer amount',
        () =>
          call(client, rpc.requestTransfer, {
            context: ctx(),
            fromAccountId: accountId,
            toAccountId: accountId,
            amount: '1.001',
          }),
        'amount',
      ],
    ];
    const head = await headPosition(schema.pool);
    for (const [name, promise, field] of cases) {
      const error = await rejectsWith(promise(), grpc.status.INVALID_ARGUMENT, {
        code: 'VALIDATION_FAILED',
        field,
      }).catch((failure: unknown) => assert.fail(`${name}: ${String(failure)}`));
      assert.doesNotMatch(error.details, /\n\s+at |SELECT|node_modules/, `${name} leaks internals`);
    }
    assert.equal(await headPosition(schema.pool), head);
    const account = await accountFromStore(schema.pool, accountId);
    assert.ok(account.status !== 'none' && account.balance === 1000n);
  });

  it("answers NOT_FOUND for a missing account and for a customer touching another customer's account", async () => {
    const accountId = await openFunded(client, '10.00', { ownerId: 'carol' });
    const head = await headPosition(schema.pool);
    await rejectsWith(
      call(client, rpc.deposit, { context: ctx(), accountId: crypto.randomUUID(), amount: '1' }),
      grpc.status.NOT_FOUND,
      { code: 'ACCOUNT_NOT_FOUND' },
    );
    const mallory = customer('mallory');
    const notMine = [
      () => call(client, rpc.withdraw, { context: ctx(mallory), accountId, amount: '1' }),
      () => call(client, rpc.closeAccount, { context: ctx(mallory), accountId }),
      () =>
        call(client, rpc.requestTransfer, {
          context: ctx(mallory),
          fromAccountId: accountId,
          toAccountId: crypto.randomUUID(),
          amount: '1',
        }),
    ];
    for (const attempt of notMine)
      await rejectsWith(attempt(), grpc.status.NOT_FOUND, { code: 'ACCOUNT_NOT_FOUND' });
    assert.equal(await headPosition(schema.pool), head);
  });

  it("answers PERMISSION_DENIED when the actor's roles never allow the command", async () => {
    const accountId = await openFunded(client, '10.00', { ownerId: 'dave' });
    const head = await headPosition(schema.pool);
    const dave = customer('dave');
    const denied = [
      () => call(client, rpc.deposit, { context: ctx(dave), accountId, amount: '1' }),
      () => call(client, rpc.placeHold, { context: ctx(dave), accountId, amount: '1' }),
      () => call(client, rpc.freezeAccount, { context: ctx(TELLER), accountId }),
      () =>
        call(client, rpc.changeOverdraftLimit, {
          context: ctx(TELLER),
          accountId,
          overdraftLimit: '5',
        }),
      () => call(client, rpc.closeAccount, { context: ctx(TELLER), accountId }),
      () => call(client, rpc.openAccount, { context: ctx(dave), ownerId: 'erin', currency: 'USD' }),
      () =>
        call(client, rpc.openAccount, { context: ctx(dave), currency: 'USD', overdraftLimit: '5' }),
      () =>
        call(client, rpc.withdraw, {
          context: ctx({ id: 'nobody', roles: [] }),
          accountId,
          amount: '1',
        }),
    ];
    for (const attempt of denied) {
      const error = await rejectsWith(attempt(), grpc.status.PERMISSION_DENIED, {
        code: 'FORBIDDEN',
      });
      // The refusal names the roles or the ownership rule that failed.
      assert.match(error.details, /^this command is for the roles |^customers /);
    }
    assert.equal(await headPosition(schema.pool), head);
  });

  it('puts the business reason in trailers and appends nothing for a refusal', async () => {
    const accountId = await openFunded(client, '5.00');
    const head = await headPosition(schema.pool);
    const error = await rejectsWith(
      call(client, rpc.withdraw, { context: ctx(), accountId, amount: '5.01' }),
      grpc.status.FAILED_PRECONDITION,
      { code: 'INSUFFICIENT_FUNDS' },
    );
    assert.equal(error.metadata.get(METADATA.errorReason)[0], 'INSUFFICIENT_FUNDS');
    assert.equal(await headPosition(schema.pool), head);
  });

  it('serves grpc.health.v1 and prometheus metrics', async () => {
    const raw = new grpc.Client(
      `127.0.0.1:${service.port}`,
      grpcChannelCredentials(testTlsConfig()),
    );
    const status = await new Promise<Buffer>((resolve, reject) => {
      raw.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        () => Buffer.alloc(0),
        (buffer: Buffer) => buffer,
        {},
        (error, reply) =>
          error || !reply ? reject(error ?? new Error('no reply')) : resolve(reply),
      );
    });
    raw.close();
    assert.deepEqual([...status], [0x08, 0x01]); // HealthCheckResponse{status: SERVING}

    const text = await (await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`)).text();
    assert.match(
      text,
      /command_service_command_duration_seconds_bucket\{[^}]*command="Deposit"[^}]*outcome="ok"/,
    );
    assert.match(
      text,
      /command_service_command_duration_seconds_count\{[^}]*outcome="INSUFFICIENT_FUNDS"/,
    );
    assert.match(
      text,
      /command_service_events_appended_total\{[^}]*type="FundsDeposited"[^}]*\} [1-9]/,
    );
    assert.match(text, /# HELP command_service_concurrency_retries_total/);
    assert.match(text, /# HELP command_service_transfers_recovered_total/);
    const ready = await fetch(`http://127.0.0.1:${service.metricsPort}/readyz`);
    assert.equal(ready.status, 200);
  });
});
