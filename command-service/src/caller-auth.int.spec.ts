import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { accountStream } from '@bank/domain';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CallStreamClient,
  grpc,
  grpcChannelCredentials,
  mintDevelopmentToken,
  type MintOptions,
} from '@bank/platform';
import { createDevelopmentCertificates } from '@bank/platform/dev-certificates';
import { commandsPackage } from '@bank/proto';
import { createTestSchema, testCertificates, testTlsConfig, type TestSchema } from '@bank/testkit';
import type { RunningCommandService } from './index.js';
import {
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
} from './testing/harness.js';
import { accountFromStore, headPosition, streamEvents } from './testing/store-queries.js';

/** A token as the gateway would forward it, with one thing about it changed. */
const token = (
  sub: string,
  roles: MintOptions['roles'],
  changes: Omit<MintOptions, 'sub' | 'roles'> = {},
) => mintDevelopmentToken({ sub, roles, ...changes });

describe('the command service believes only a caller with its certificate and token', () => {
  let schema: TestSchema;
  let service: RunningCommandService;
  let client: Client;
  let carols: string;

  before(async () => {
    schema = await createTestSchema('cmd_caller');
    service = await startTestService(schema.url);
    client = connect(service.port);
    carols = await openFunded(client, '10.00', { ownerId: 'carol' });
  });
  after(async () => {
    client.close();
    await service.stop();
    await schema.drop();
  });

  /** The call is refused with `status` and the event store is exactly as before. */
  async function refusedUnchanged(promise: () => Promise<unknown>, status: grpc.status) {
    const head = await headPosition(schema.pool);
    const events = (await streamEvents(schema.pool, accountStream(carols))).length;
    const before = await accountFromStore(schema.pool, carols);
    await rejectsWith(promise(), status);
    assert.equal(await headPosition(schema.pool), head, 'nothing appended');
    assert.equal((await streamEvents(schema.pool, accountStream(carols))).length, events);
    assert.deepEqual(await accountFromStore(schema.pool, carols), before);
  }

  it('refuses a client without a certificate from its CA at the handshake', async () => {
    const { CommandService } = commandsPackage();
    const files = await testCertificates();
    const otherDir = mkdtempSync(join(tmpdir(), 'bank-tls-other-'));
    after(() => rmSync(otherDir, { recursive: true, force: true }));
    const elsewhere = await createDevelopmentCertificates(otherDir, { caName: 'another CA' });
    const doors: [string, grpc.ChannelCredentials][] = [
      ['plaintext', grpc.credentials.createInsecure()],
      ['TLS without a client certificate', grpc.credentials.createSsl(readFileSync(files.caFile))],
      [
        'a client certificate from another CA',
        grpc.credentials.createSsl(
          readFileSync(files.caFile),
          readFileSync(elsewhere.keyFile),
          readFileSync(elsewhere.certFile),
        ),
      ],
    ];
    for (const [name, credentials] of doors) {
      const stranger: Client = new CommandService(`127.0.0.1:${service.port}`, credentials);
      try {
        // A valid token does not help without the certificate.
        await refusedUnchanged(
          () =>
            call(
              stranger,
              rpc.deposit,
              { context: ctx(TELLER), accountId: carols, amount: '1000000.00' },
              { deadlineMs: 3000 },
            ),
          grpc.status.UNAVAILABLE,
        ).catch((error: unknown) => assert.fail(`${name}: ${String(error)}`));
      } finally {
        stranger.close();
      }
    }
  });

  it('refuses a call without a token or with a token it cannot verify: UNAUTHENTICATED', async () => {
    const deposit = (t: string | null) =>
      call(
        client,
        rpc.deposit,
        { context: ctx(TELLER), accountId: carols, amount: '1000000.00' },
        { token: t },
      );
    await refusedUnchanged(() => deposit(null), grpc.status.UNAUTHENTICATED);
    await refusedUnchanged(() => deposit('not-a-jwt'), grpc.status.UNAUTHENTICATED);
    const forged = await token(TELLER.id, ['teller'], {
      secret: 'a-secret-the-services-do-not-know-0123456789',
    });
    await refusedUnchanged(() => deposit(forged), grpc.status.UNAUTHENTICATED);
    const expired = await token(TELLER.id, ['teller'], { ttlSeconds: -60 });
    await refusedUnchanged(() => deposit(expired), grpc.status.UNAUTHENTICATED);
    const otherAudience = await token(TELLER.id, ['teller'], { audience: 'another-api' });
    await refusedUnchanged(() => deposit(otherAudience), grpc.status.UNAUTHENTICATED);
    const otherIssuer = await token(TELLER.id, ['teller'], { issuer: 'someone-else' });
    await refusedUnchanged(() => deposit(otherIssuer), grpc.status.UNAUTHENTICATED);
  });

  it("refuses a customer's token claiming another actor or a role it lacks: PERMISSION_DENIED", async () => {
    const mallory = await tokenOf(customer('mallory'));
    const as = (actor: { id: string; roles: string[] }) =>
      call(
        client,
        rpc.withdraw,
        { context: ctx(actor), accountId: carols, amount: '5.00' },
        { token: mallory },
      );
    await refusedUnchanged(() => as(customer('carol')), grpc.status.PERMISSION_DENIED);
    await refusedUnchanged(
      () => as({ id: 'mallory', roles: ['customer', 'teller'] }),
      grpc.status.PERMISSION_DENIED,
    );
    await refusedUnchanged(
      () => as({ id: 'forged-admin', roles: ['admin'] }),
      grpc.status.PERMISSION_DENIED,
    );
    // A role the token's issuer never granted is not in the token's principal either.
    const unknownRole = await tokenOf({ id: 'mallory', roles: ['root'] });
    await refusedUnchanged(
      () =>
        call(
          client,
          rpc.withdraw,
          { context: ctx({ id: 'mallory', roles: ['root'] }), accountId: carols, amount: '5.00' },
          { token: unknownRole },
        ),
      grpc.status.PERMISSION_DENIED,
    );
  });

  it('takes the actor from the token when the request names none', async () => {
    const mallory = await tokenOf(customer('mallory'));
    // As mallory (a customer), carol's account does not exist.
    await refusedUnchanged(
      () =>
        call(
          client,
          rpc.withdraw,
          { context: { commandId: 'no-actor-1' }, accountId: carols, amount: '5.00' },
          { token: mallory },
        ),
      grpc.status.NOT_FOUND,
    );
    const teller = await tokenOf(TELLER);
    const reply = await call(
      client,
      rpc.deposit,
      { context: { commandId: 'no-actor-2' }, accountId: carols, amount: '1.00' },
      { token: teller },
    );
    assert.equal(reply.account?.balance, '11.00');
    const events = await streamEvents(schema.pool, accountStream(carols));
    const last = events.at(-1);
    assert.deepEqual((last?.metadata as { actor?: unknown }).actor, {
      id: TELLER.id,
      roles: TELLER.roles,
    });
  });

  it('checks every call on a call stream as it checks a unary call', async () => {
    const { CommandService, CommandCallsService } = commandsPackage();
    const calls = new CommandCallsService(
      `127.0.0.1:${service.port}`,
      grpcChannelCredentials(testTlsConfig()),
    );
    const streams = new CallStreamClient({
      open: () => calls.Calls(),
      streams: 1,
      maxAgeMs: 60_000,
    });
    const definition = CommandService.service.Deposit;
    const onStream = streams.method(
      'Deposit',
      definition.requestSerialize as (value: unknown) => Buffer,
      definition.responseDeserialize,
      () => assert.fail('the service has the call-stream RPC: no unary call is made'),
    );
    const streamed = () => onStream as unknown as ReturnType<typeof rpc.deposit>;
    try {
      const deposit = (t: string | null, actor = TELLER) =>
        call(
          client,
          streamed,
          { context: ctx(actor), accountId: carols, amount: '1.00' },
          { token: t },
        );
      await refusedUnchanged(() => deposit(null), grpc.status.UNAUTHENTICATED);
      const forged = await token(TELLER.id, ['teller'], {
        secret: 'a-secret-the-services-do-not-know-0123456789',
      });
      await refusedUnchanged(() => deposit(forged), grpc.status.UNAUTHENTICATED);
      const mallory = await tokenOf(customer('mallory'));
      await refusedUnchanged(() => deposit(mallory), grpc.status.PERMISSION_DENIED);
      const events = (await streamEvents(schema.pool, accountStream(carols))).length;
      const reply = await deposit(await tokenOf(TELLER));
      assert.equal(reply.account?.accountId, carols);
      const after = await streamEvents(schema.pool, accountStream(carols));
      assert.equal(after.length, events + 1);
      assert.equal(after.at(-1)?.type, 'FundsDeposited');
    } finally {
      streams.close();
      calls.close();
    }
  });
});
