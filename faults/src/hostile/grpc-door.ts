import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { grpc, grpcChannelCredentials, mintDevelopmentToken } from '@bank/platform';
import { commandsPackage, queriesPackage } from '@bank/proto';
import type { Stack } from '@bank/testkit';
import type pg from 'pg';
import type { Findings } from '../check/findings.js';
import type { HostileFixtures } from './fixtures.js';
import { headPosition } from './probe.js';

type UnaryMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null) => void,
) => unknown;

type Door = 'plaintext' | 'tls-without-certificate' | 'mtls';

interface Attempt {
  readonly name: string;
  readonly door: Door;
  readonly service: 'command' | 'query';
  readonly method: string;
  readonly request: unknown;
  /** The bearer token sent, if any. */
  readonly token?: string;
  readonly expected: grpc.status;
}

/**
 * The door past the gateway: a process on the internal network calling the command and query
 * services' gRPC ports directly. Without the CA's client certificate the handshake fails
 * (UNAVAILABLE); with one but without a token, or with a token the services cannot verify,
 * UNAUTHENTICATED; with a customer's genuine token claiming another actor, a role it lacks, or
 * another owner's reads, PERMISSION_DENIED. Nothing is appended by any of them.
 */
export async function runGrpcDoor(
  fx: HostileFixtures,
  stack: Stack,
  pool: pg.Pool,
  findings: Findings,
  runTag: string,
): Promise<number> {
  // Signed with a key the services do not hold (and an algorithm they do not accept).
  const forgedAdmin = await mintDevelopmentToken({
    sub: 'forged-admin',
    roles: ['admin'],
    secret: randomBytes(32).toString('hex'),
  });
  const context = (n: number, actor: { id: string; roles: string[] }) => ({
    commandId: `${runTag}-grpc-door-${n}`,
    actor,
  });
  const teller = { id: 'forged-teller', roles: ['teller'] };
  const deposit = (n: number, actor = teller) => ({
    context: context(n, actor),
    accountId: fx.accountA,
    amount: '1000000.00',
  });
  const attempts: Attempt[] = [
    ...(['plaintext', 'tls-without-certificate'] as const).flatMap((door): Attempt[] => [
      {
        name: `Deposit as a forged teller (${door})`,
        door,
        service: 'command',
        method: 'Deposit',
        request: deposit(1),
        token: fx.tokens.teller,
        expected: grpc.status.UNAVAILABLE,
      },
      {
        name: `GetAccount (${door})`,
        door,
        service: 'query',
        method: 'GetAccount',
        request: { accountId: fx.accountA },
        token: fx.tokens.admin,
        expected: grpc.status.UNAVAILABLE,
      },
    ]),
    {
      name: 'OpenAccount for someone else as a forged admin, no token',
      door: 'mtls',
      service: 'command',
      method: 'OpenAccount',
      request: {
        context: context(2, { id: 'forged-admin', roles: ['admin'] }),
        ownerId: fx.ownerB,
        currency: 'USD',
      },
      expected: grpc.status.UNAUTHENTICATED,
    },
    {
      name: 'Deposit with a token signed by another key',
      door: 'mtls',
      service: 'command',
      method: 'Deposit',
      request: deposit(3, { id: 'forged-admin', roles: ['admin'] }),
      token: forgedAdmin,
      expected: grpc.status.UNAUTHENTICATED,
    },
    {
      name: "Withdraw from A with B's token, claiming to be A",
      door: 'mtls',
      service: 'command',
      method: 'Withdraw',
      request: {
        context: context(4, { id: fx.ownerA, roles: ['customer'] }),
        accountId: fx.accountA,
        amount: '1.00',
      },
      token: fx.tokens.b,
      expected: grpc.status.PERMISSION_DENIED,
    },
    {
      name: "Deposit with B's token, claiming the teller role",
      door: 'mtls',
      service: 'command',
      method: 'Deposit',
      request: deposit(5, { id: fx.ownerB, roles: ['customer', 'teller'] }),
      token: fx.tokens.b,
      expected: grpc.status.PERMISSION_DENIED,
    },
    {
      name: "GetAccount A with B's token, restricted to A",
      door: 'mtls',
      service: 'query',
      method: 'GetAccount',
      request: { accountId: fx.accountA, options: { restrictToOwner: fx.ownerA } },
      token: fx.tokens.b,
      expected: grpc.status.PERMISSION_DENIED,
    },
    {
      name: "GetAccount A with B's token, unrestricted",
      door: 'mtls',
      service: 'query',
      method: 'GetAccount',
      request: { accountId: fx.accountA },
      token: fx.tokens.b,
      expected: grpc.status.PERMISSION_DENIED,
    },
  ];

  const ca = readFileSync(stack.tls.caFile);
  const credentials: Record<Door, grpc.ChannelCredentials> = {
    plaintext: grpc.credentials.createInsecure(),
    'tls-without-certificate': grpc.credentials.createSsl(ca),
    mtls: grpcChannelCredentials({ mode: 'mtls', ...stack.tls, reloadIntervalMs: 60_000 }),
  };
  const addresses = {
    command: stack.commandAddresses[0] ?? '',
    query: stack.queryAddress.split(',')[0] ?? '',
  };
  const constructors = {
    command: commandsPackage().CommandService,
    query: queriesPackage().QueryService,
  };
  for (const attempt of attempts) {
    const before = await headPosition(pool);
    const client = new constructors[attempt.service](
      addresses[attempt.service],
      credentials[attempt.door],
    ) as unknown as grpc.Client;
    const metadata = new grpc.Metadata();
    if (attempt.token) metadata.set('authorization', `Bearer ${attempt.token}`);
    const status = await new Promise<grpc.status>((resolve) => {
      const method = (client as unknown as Record<string, UnaryMethod | undefined>)[attempt.method];
      if (!method) return resolve(grpc.status.UNIMPLEMENTED);
      method.call(
        client,
        attempt.request,
        metadata,
        { deadline: Date.now() + 5000 },
        (error: grpc.ServiceError | null) => resolve(error ? error.code : grpc.status.OK),
      );
    });
    client.close();
    const after = await headPosition(pool);
    findings.check(
      status === attempt.expected,
      () =>
        `grpc door: ${attempt.name} → ${grpc.status[status]} (expected ${grpc.status[attempt.expected]})`,
    );
    findings.check(
      after === before,
      () => `grpc door: ${attempt.name} appended events (head ${before} → ${after})`,
    );
  }
  return attempts.length;
}
