import { strict as assert } from 'node:assert';
import {
  EnvReader,
  grpc,
  grpcChannelCredentials,
  METADATA,
  mintDevelopmentToken,
  setBearerToken,
  type Role,
} from '@bank/platform';
import { tlsEnv } from '@bank/platform/dev-certificates';
import { commandsPackage, type commandTypes } from '@bank/proto';
import { testCertificateFiles, testCertificates, testTlsConfig } from '@bank/testkit';
import {
  readConfig,
  startCommandService,
  type RunningCommandService,
  type StartOptions,
} from '../index.js';

/** Test support: an in-process service on a test schema, and a promise-based gRPC client. */

export type Client = commandTypes.CommandServiceClient;

export function testConfigEnv(
  databaseUrl: string,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '8',
    GRPC_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    // mTLS on this process's test certificates (await testCertificates() before a child reads them).
    ...tlsEnv(testCertificateFiles()),
    ...env,
  };
}

export async function startTestService(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningCommandService> {
  await testCertificates();
  return startCommandService(readConfig(new EnvReader(testConfigEnv(databaseUrl, env))), options);
}

/**
 * Both ways the service runs a transfer: one atomic multi-stream append (the PostgreSQL store's
 * default), or the process manager (the same store with its atomic append switched off).
 */
export const TRANSFER_MODES: ReadonlyArray<{
  readonly name: string;
  readonly atomic: boolean;
  readonly env: Record<string, string>;
}> = [
  { name: 'one atomic append', atomic: true, env: {} },
  {
    name: 'the process manager (store without the atomic append)',
    atomic: false,
    env: { EVENT_STORE_MULTI_STREAM_APPEND: 'off' },
  },
];

/** A client with this process's test certificate (mTLS, as the gateway connects). */
export function connect(port: number): Client {
  const { CommandService } = commandsPackage();
  return new CommandService(`127.0.0.1:${port}`, grpcChannelCredentials(testTlsConfig()));
}

type Callable<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall;

export interface CallOptions {
  readonly correlationId?: string;
  readonly deadlineMs?: number;
  /**
   * The bearer token sent; null sends none. Default: a development token (the service's default
   * key) for the request's `context.actor`, as the gateway forwards its caller's token.
   */
  readonly token?: string | null;
}

/** A development token for an actor, signed with the key the test services verify with. */
export function tokenOf(actor: { id: string; roles: readonly string[] }): Promise<string> {
  return mintDevelopmentToken({
    sub: actor.id,
    roles: actor.roles as readonly Role[],
  });
}

/** Calls one RPC and resolves with its reply (rejects with the grpc ServiceError). */
export async function call<Req, Res>(
  client: Client,
  method: (client: Client) => Callable<Req, Res>,
  request: Req,
  options: CallOptions = {},
): Promise<Res> {
  const metadata = new grpc.Metadata();
  if (options.correlationId) metadata.set(METADATA.correlationId, options.correlationId);
  const actor = (request as { context?: { actor?: { id: string; roles: string[] } | null } })
    .context?.actor;
  const token = options.token !== undefined ? options.token : actor ? await tokenOf(actor) : null;
  if (token !== null) setBearerToken(metadata, token);
  const callOptions: grpc.CallOptions = { deadline: Date.now() + (options.deadlineMs ?? 20_000) };
  return new Promise((resolve, reject) => {
    method(client).call(client, request, metadata, callOptions, (error, reply) => {
      if (error) reject(error);
      else if (reply === undefined) reject(new Error('empty reply'));
      else resolve(reply);
    });
  });
}

/** The typed RPCs, bound for `call`. */
export const rpc = {
  openAccount: (c: Client) =>
    c.openAccount.bind(c) as Callable<
      commandTypes.OpenAccountRequest,
      commandTypes.AccountReply__Output
    >,
  deposit: (c: Client) =>
    c.deposit.bind(c) as Callable<commandTypes.MoneyRequest, commandTypes.AccountReply__Output>,
  withdraw: (c: Client) =>
    c.withdraw.bind(c) as Callable<commandTypes.MoneyRequest, commandTypes.AccountReply__Output>,
  placeHold: (c: Client) =>
    c.placeHold.bind(c) as Callable<
      commandTypes.PlaceHoldRequest,
      commandTypes.AccountReply__Output
    >,
  captureHold: (c: Client) =>
    c.captureHold.bind(c) as Callable<
      commandTypes.CaptureHoldRequest,
      commandTypes.AccountReply__Output
    >,
  releaseHold: (c: Client) =>
    c.releaseHold.bind(c) as Callable<commandTypes.HoldRequest, commandTypes.AccountReply__Output>,
  freezeAccount: (c: Client) =>
    c.freezeAccount.bind(c) as Callable<
      commandTypes.FreezeAccountRequest,
      commandTypes.AccountReply__Output
    >,
  unfreezeAccount: (c: Client) =>
    c.unfreezeAccount.bind(c) as Callable<
      commandTypes.AccountRequest,
      commandTypes.AccountReply__Output
    >,
  changeOverdraftLimit: (c: Client) =>
    c.changeOverdraftLimit.bind(c) as Callable<
      commandTypes.ChangeOverdraftLimitRequest,
      commandTypes.AccountReply__Output
    >,
  closeAccount: (c: Client) =>
    c.closeAccount.bind(c) as Callable<
      commandTypes.AccountRequest,
      commandTypes.AccountReply__Output
    >,
  requestTransfer: (c: Client) =>
    c.requestTransfer.bind(c) as Callable<
      commandTypes.RequestTransferRequest,
      commandTypes.TransferReply__Output
    >,
  requestTransferBatch: (c: Client) =>
    c.requestTransferBatch.bind(c) as Callable<
      commandTypes.RequestTransferBatchRequest,
      commandTypes.TransferBatchReply__Output
    >,
  reverseTransfer: (c: Client) =>
    c.reverseTransfer.bind(c) as Callable<
      commandTypes.ReverseTransferRequest,
      commandTypes.TransferReply__Output
    >,
};

export const ADMIN = { id: 'admin-1', roles: ['admin'] };
export const TELLER = { id: 'teller-1', roles: ['teller'] };
export const customer = (id: string) => ({ id, roles: ['customer'] });

let sequence = 0;
/** A command context with a fresh (or the given) command id. */
export function ctx(
  actor: { id: string; roles: string[] } = ADMIN,
  commandId = `cmd-${process.pid}-${Date.now()}-${++sequence}`,
): commandTypes.CommandContext {
  return { commandId, actor };
}

/** Asserts a call failed with this gRPC status and, when given, this bank code / field. */
export async function rejectsWith(
  promise: Promise<unknown>,
  status: grpc.status,
  expected: { code?: string; field?: string } = {},
): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    const serviceError = error as grpc.ServiceError;
    assert.equal(serviceError.code, status, `status ${serviceError.code}: ${serviceError.details}`);
    if (expected.code)
      assert.equal(serviceError.metadata.get(METADATA.errorCode)[0], expected.code);
    if (expected.field)
      assert.equal(serviceError.metadata.get(METADATA.errorField)[0], expected.field);
    return serviceError;
  }
  assert.fail(`expected gRPC status ${grpc.status[status]}, but the call succeeded`);
}

/** Opens an account (admin) and deposits `balance` into it; returns its id. */
export async function openFunded(
  client: Client,
  balance: string,
  options: { ownerId?: string; currency?: string } = {},
): Promise<string> {
  const opened = await call(client, rpc.openAccount, {
    context: ctx(TELLER),
    ownerId: options.ownerId ?? 'owner-1',
    currency: options.currency ?? 'USD',
  });
  const accountId = opened.account?.accountId ?? assert.fail('no account in reply');
  if (balance !== '0' && balance !== '0.00') {
    await call(client, rpc.deposit, { context: ctx(TELLER), accountId, amount: balance });
  }
  return accountId;
}
