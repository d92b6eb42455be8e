import { commandsPackage, queriesPackage, type commandTypes, type queryTypes } from '@bank/proto';
import {
  AppError,
  CallStreamClient,
  COMMAND_ACCESS,
  type CommandRpc,
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
  type UnaryFn,
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

/** The named RPCs of a generated service definition: what each takes, and what it answers. */
type MethodsOf<D, Names extends keyof D & string> = {
  [K in Names]: D[K] extends {
    requestSerialize: (value: infer Request) => Buffer;
    responseDeserialize: (bytes: Buffer) => infer Response;
  }
    ? Pair<Request, Response>
    : never;
};

/** The query RPCs the gateway calls (the commands are every RPC with an access rule). */
const QUERY_RPCS = [
  'GetAccount',
  'ListAccounts',
  'ListTransactions',
  'GetTransfer',
  'GetTransferBatch',
  'GetStatement',
  'ListHolds',
  'GetHold',
] as const;

type CommandMethods = MethodsOf<commandTypes.CommandServiceDefinition, CommandRpc>;
type QueryMethods = MethodsOf<queryTypes.QueryServiceDefinition, (typeof QUERY_RPCS)[number]>;

export type CommandApi = Api<CommandMethods>;
export type QueryApi = Api<QueryMethods>;

export interface UpstreamOptions {
  /** grpc-js channel targets (see upstreamTargets in plugins/upstreams.ts). */
  readonly commandTarget: string;
  readonly queryTarget: string;
  readonly credentials: grpc.ChannelCredentials;
  /** Deadline of one call, retries included. */
  readonly timeoutMs: number;
  /** Further attempts after UNAVAILABLE (commands too: they carry their command id). */
  readonly retries: number;
  /**
   * Streams to the command service that carry its calls together (commands.proto,
   * CommandCallsService); 0: each command is a unary call of its own.
   */
  readonly commandStreams: number;
  readonly onCall?: (service: UpstreamName, method: string, outcome: string) => void;
  /** A message on a command stream, with the number of calls in it. */
  readonly onStreamMessage?: (calls: number) => void;
  readonly onStreamOpen?: () => void;
}

export interface Upstreams {
  readonly commands: CommandApi;
  readonly queries: QueryApi;
  /** Both services answer grpc.health.v1 Check with SERVING. */
  health(timeoutMs?: number): Promise<Record<UpstreamName, boolean>>;
  close(): void;
}

/**
 * A command stream older than this takes no new calls: new streams land round-robin on the
 * instances the channel has now, so a joining instance gets its share within about this long.
 */
const COMMAND_STREAM_MAX_AGE_MS = 1000;

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');

/**
 * gRPC clients of both upstreams: grpc-js round_robin over every address the target resolves to, one deadline per
 * call, bounded retries with backoff on UNAVAILABLE only, the correlation id in metadata, and
 * failures translated to AppErrors that never carry gRPC internals.
 */
export function createUpstreams(options: UpstreamOptions): Upstreams {
  const { commandTarget, queryTarget, credentials } = options;
  const { CommandService, CommandCallsService } = commandsPackage();
  const { QueryService } = queriesPackage();
  const commandClient = new CommandService(commandTarget, credentials, ROUND_ROBIN_OPTIONS);
  const callsClient = new CommandCallsService(commandTarget, credentials, ROUND_ROBIN_OPTIONS);
  const commandStreams =
    options.commandStreams > 0
      ? new CallStreamClient({
          open: () => callsClient.Calls(),
          streams: options.commandStreams,
          maxAgeMs: COMMAND_STREAM_MAX_AGE_MS,
          ...(options.onStreamMessage ? { onMessage: options.onStreamMessage } : {}),
          ...(options.onStreamOpen ? { onOpen: options.onStreamOpen } : {}),
        })
      : undefined;
  /** A command RPC on the streams (or as a unary call of its own without them). */
  const commandCall = (method: string, unary: UnaryFn): UnaryFn => {
    const definition = CommandService.service[method as CommandRpc];
    return commandStreams
      ? commandStreams.method(
          method,
          definition.requestSerialize as (value: unknown) => Buffer,
          definition.responseDeserialize,
          unary,
          routingKey,
        )
      : unary;
  };
  const queryClient = new QueryService(queryTarget, credentials, ROUND_ROBIN_OPTIONS);
  const healthClients: Record<UpstreamName, grpc.Client> = {
    command: new HealthClient(commandTarget, credentials, ROUND_ROBIN_OPTIONS),
    query: new HealthClient(queryTarget, credentials, ROUND_ROBIN_OPTIONS),
  };

  const api = <M extends Record<string, Pair<unknown, unknown>>>(
    service: UpstreamName,
    client: grpc.Client,
    methods: readonly string[],
    route: (method: string, unary: UnaryFn) => UnaryFn = (_method, unary) => unary,
  ): Api<M> => {
    const entries = methods.map((method) => {
      const fn = (client as unknown as Record<string, UnaryFn>)[method];
      if (!fn) throw new Error(`${service} client has no method ${method}`);
      const bound = route(method, fn.bind(client));
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
    commands: api<CommandMethods>(
      'command',
      commandClient,
      Object.keys(COMMAND_ACCESS),
      commandCall,
    ),
    queries: api<QueryMethods>('query', queryClient, QUERY_RPCS),
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
      commandStreams?.close();
      callsClient.close();
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

/**
 * What a command is decided on first: its account, a transfer's source account, the transfer a
 * reversal undoes. Commands with the same key take the same command stream, so one instance
 * decides them in turn on the stream it has cached, instead of two instances racing on it (the
 * loser reads the stream again and retries; an instance with a queue of commands on that stream
 * can keep winning until the loser runs out of retries).
 */
function routingKey(request: unknown): string | undefined {
  const { accountId, fromAccountId, transferId } = request as {
    readonly accountId?: string;
    readonly fromAccountId?: string;
    readonly transferId?: string;
  };
  return accountId || fromAccountId || transferId || undefined;
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
