import { commandsPackage, queriesPackage, type commandTypes, type queryTypes } from '@bank/proto';
import {
  AppError,
  failSpan,
  fromServiceError,
  grpc,
  METADATA,
  outgoingMetadata,
  SpanKind,
  startSpan,
  ROUND_ROBIN_OPTIONS,
  setBearerToken,
  type ErrorCategory,
  type TraceContext,
} from '@bank/platform';
import { service as healthService } from 'grpc-health-check';

export type UpstreamName = 'command' | 'query';

/** What every upstream call carries from the HTTP request. */
export interface CallContext {
  readonly correlationId: string;
  /**
   * The caller's verified bearer token, forwarded: the services verify it again and take the
   * actor from it.
   */
  readonly token: string;
  /** The HTTP request's span context while tracing: each call gets a CLIENT span under it. */
  readonly trace?: TraceContext | undefined;
}

type Pair<Req, Res> = readonly [Req, Res];
type Api<M extends Record<string, Pair<unknown, unknown>>> = {
  readonly [K in keyof M]: (request: M[K][0], context: CallContext) => Promise<M[K][1]>;
};

type CommandMethods = {
  OpenAccount: Pair<commandTypes.OpenAccountRequest, commandTypes.AccountReply__Output>;
  Deposit: Pair<commandTypes.MoneyRequest, commandTypes.AccountReply__Output>;
  Withdraw: Pair<commandTypes.MoneyRequest, commandTypes.AccountReply__Output>;
  PlaceHold: Pair<commandTypes.PlaceHoldRequest, commandTypes.AccountReply__Output>;
  CaptureHold: Pair<commandTypes.CaptureHoldRequest, commandTypes.AccountReply__Output>;
  ReleaseHold: Pair<commandTypes.HoldRequest, commandTypes.AccountReply__Output>;
  FreezeAccount: Pair<commandTypes.FreezeAccountRequest, commandTypes.AccountReply__Output>;
  UnfreezeAccount: Pair<commandTypes.AccountRequest, commandTypes.AccountReply__Output>;
  ChangeOverdraftLimit: Pair<
    commandTypes.ChangeOverdraftLimitRequest,
    commandTypes.AccountReply__Output
  >;
  CloseAccount: Pair<commandTypes.AccountRequest, commandTypes.AccountReply__Output>;
  RequestTransfer: Pair<commandTypes.RequestTransferRequest, commandTypes.TransferReply__Output>;
  RequestTransferBatch: Pair<
    commandTypes.RequestTransferBatchRequest,
    commandTypes.TransferBatchReply__Output
  >;
  ReverseTransfer: Pair<commandTypes.ReverseTransferRequest, commandTypes.TransferReply__Output>;
};

type QueryMethods = {
  GetAccount: Pair<queryTypes.GetAccountRequest, queryTypes.Account__Output>;
  ListAccounts: Pair<queryTypes.ListAccountsRequest, queryTypes.ListAccountsReply__Output>;
  ListTransactions: Pair<
    queryTypes.ListTransactionsRequest,
    queryTypes.ListTransactionsReply__Output
  >;
  GetTransfer: Pair<queryTypes.GetTransferRequest, queryTypes.Transfer__Output>;
  GetTransferBatch: Pair<queryTypes.GetTransferBatchRequest, queryTypes.TransferBatch__Output>;
  GetStatement: Pair<queryTypes.GetStatementRequest, queryTypes.Statement__Output>;
  ListHolds: Pair<queryTypes.ListHoldsRequest, queryTypes.ListHoldsReply__Output>;
  GetHold: Pair<queryTypes.GetHoldRequest, queryTypes.Hold__Output>;
};

export type CommandApi = Api<CommandMethods>;
export type QueryApi = Api<QueryMethods>;

const COMMAND_METHODS: readonly (keyof CommandMethods)[] = [
  'OpenAccount',
  'Deposit',
  'Withdraw',
  'PlaceHold',
  'CaptureHold',
  'ReleaseHold',
  'FreezeAccount',
  'UnfreezeAccount',
  'ChangeOverdraftLimit',
  'CloseAccount',
  'RequestTransfer',
  'RequestTransferBatch',
  'ReverseTransfer',
];
const QUERY_METHODS: readonly (keyof QueryMethods)[] = [
  'GetAccount',
  'ListAccounts',
  'ListTransactions',
  'GetTransfer',
  'GetTransferBatch',
  'GetStatement',
  'ListHolds',
  'GetHold',
];

export interface UpstreamOptions {
  /** grpc-js channel targets (see upstreamTargets in plugins/upstreams.ts). */
  readonly commandTarget: string;
  readonly queryTarget: string;
  readonly credentials: grpc.ChannelCredentials;
  /** Deadline of one call, retries included. */
  readonly timeoutMs: number;
  /** Further attempts after UNAVAILABLE (commands too: they carry their command id). */
  readonly retries: number;
  readonly onCall?: (service: UpstreamName, method: string, outcome: string) => void;
}

export interface Upstreams {
  readonly commands: CommandApi;
  readonly queries: QueryApi;
  /** Both services answer grpc.health.v1 Check with SERVING. */
  health(timeoutMs?: number): Promise<Record<UpstreamName, boolean>>;
  close(): void;
}

type UnaryFn = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: unknown) => void,
) => grpc.ClientUnaryCall;

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');

/**
 * gRPC clients of both upstreams: grpc-js round_robin over every address the target resolves to, one deadline per
 * call, bounded retries with backoff on UNAVAILABLE only, the correlation id in metadata, and
 * failures translated to AppErrors that never carry gRPC internals.
 */
export function createUpstreams(options: UpstreamOptions): Upstreams {
  const { commandTarget, queryTarget, credentials } = options;
  const { CommandService } = commandsPackage();
  const { QueryService } = queriesPackage();
  const commandClient = new CommandService(commandTarget, credentials, ROUND_ROBIN_OPTIONS);
  const queryClient = new QueryService(queryTarget, credentials, ROUND_ROBIN_OPTIONS);
  const healthClients: Record<UpstreamName, grpc.Client> = {
    command: new HealthClient(commandTarget, credentials, ROUND_ROBIN_OPTIONS),
    query: new HealthClient(queryTarget, credentials, ROUND_ROBIN_OPTIONS),
  };

  const api = <M extends Record<string, Pair<unknown, unknown>>>(
    service: UpstreamName,
    client: grpc.Client,
    methods: readonly (keyof M & string)[],
  ): Api<M> => {
    const entries = methods.map((method) => {
      const fn = (client as unknown as Record<string, UnaryFn>)[method];
      if (!fn) throw new Error(`${service} client has no method ${method}`);
      const bound = fn.bind(client);
      return [
        method,
        (request: unknown, context: CallContext) =>
          callWithRetry(service, method, bound, request, context),
      ];
    });
    return Object.fromEntries(entries) as Api<M>;
  };

  async function callWithRetry(
    service: UpstreamName,
    method: string,
    fn: UnaryFn,
    request: unknown,
    context: CallContext,
  ): Promise<unknown> {
    const deadline = Date.now() + options.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await unaryCall(service, method, fn, request, context, deadline);
        options.onCall?.(service, method, 'OK');
        return response;
      } catch (error) {
        const code = (error as Partial<grpc.ServiceError>).code ?? grpc.status.UNKNOWN;
        options.onCall?.(service, method, grpc.status[code] ?? 'UNKNOWN');
        const backoff = 25 * 2 ** attempt + Math.floor(Math.random() * 25);
        // A server that says when to come back (a consistency wait that ran out) is not retried
        // here: the hint goes to the client as Retry-After.
        const hinted =
          ((error as Partial<grpc.ServiceError>).metadata?.get(METADATA.retryAfterMs).length ?? 0) >
          0;
        if (
          code === grpc.status.UNAVAILABLE &&
          !hinted &&
          attempt < options.retries &&
          Date.now() + backoff < deadline
        ) {
          await new Promise((resolve) => setTimeout(resolve, backoff));
          continue;
        }
        throw translate(service, error);
      }
    }
  }

  return {
    commands: api<CommandMethods>('command', commandClient, COMMAND_METHODS),
    queries: api<QueryMethods>('query', queryClient, QUERY_METHODS),
    async health(timeoutMs = 1000) {
      const check = (client: grpc.Client) =>
        new Promise<boolean>((resolve) => {
          const fn = (client as unknown as Record<string, UnaryFn>)['Check'];
          if (!fn) return resolve(false);
          fn.call(
            client,
            { service: '' },
            new grpc.Metadata(),
            { deadline: Date.now() + timeoutMs },
            (error, response) =>
              resolve(!error && (response as { status?: unknown }).status === 'SERVING'),
          );
        });
      const [command, query] = await Promise.all([
        check(healthClients.command),
        check(healthClients.query),
      ]);
      return { command, query };
    },
    close() {
      commandClient.close();
      queryClient.close();
      healthClients.command.close();
      healthClients.query.close();
    },
  };
}

function unaryCall(
  service: UpstreamName,
  method: string,
  fn: UnaryFn,
  request: unknown,
  context: CallContext,
  deadline: number,
): Promise<unknown> {
  // One CLIENT span per attempt (tracing only); its traceparent goes along in the metadata.
  const span = startSpan(method, {
    kind: SpanKind.CLIENT,
    parent: context.trace,
    attributes: { 'rpc.system': 'grpc', 'rpc.method': method, 'bank.upstream': service },
  });
  const metadata = setBearerToken(outgoingMetadata(context.correlationId, span), context.token);
  return new Promise((resolve, reject) => {
    fn(request, metadata, { deadline }, (error, response) => {
      if (span) {
        span.setAttribute('rpc.grpc.status_code', error ? error.code : grpc.status.OK);
        if (error && UPSTREAM_FAULTS.has(error.code)) failSpan(span, error);
        span.end();
      }
      return error ? reject(error) : resolve(response);
    });
  });
}

/** Statuses that mean the upstream failed, not that it refused the request. */
const UPSTREAM_FAULTS: ReadonlySet<number> = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.INTERNAL,
  grpc.status.UNKNOWN,
]);

const GENERIC_MESSAGES: Record<ErrorCategory, (service: UpstreamName) => string> = {
  validation: () => 'invalid request',
  forbidden: () => 'not allowed',
  not_found: () => 'not found',
  business: () => 'request refused',
  conflict: () => 'conflicting concurrent change, try again',
  unavailable: (service) => `the ${service} service is unavailable, try again`,
  deadline: (service) => `the ${service} service did not answer in time`,
  internal: () => 'internal error',
};

/**
 * A failed call as an AppError. Only answers our services produced (they carry the `bank-code`
 * trailer) keep their message; anything grpc-js made up (connection refused, deadline) gets a
 * generic one, so no address or transport detail reaches a client.
 */
function translate(service: UpstreamName, error: unknown): AppError {
  const appError = fromServiceError(error);
  const fromService =
    ((error as Partial<grpc.ServiceError>).metadata?.get(METADATA.errorCode).length ?? 0) > 0;
  if (fromService) return appError;
  return new AppError(
    appError.category,
    appError.code,
    GENERIC_MESSAGES[appError.category](service),
    appError.details,
  );
}
