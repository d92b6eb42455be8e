import { queriesPackage, type queryTypes } from '@bank/proto';
import {
  fromServiceError,
  grpc,
  grpcChannelCredentials,
  METADATA,
  mintDevelopmentToken,
  setBearerToken,
  type AppError,
  type GrpcTlsConfig,
} from '@bank/platform';

type Definition = queryTypes.QueryServiceDefinition;
// Spelled out: the generated definition extends an index signature, so keyof would be string.
export type QueryMethod =
  | 'GetAccount'
  | 'ListAccounts'
  | 'ListTransactions'
  | 'GetTransfer'
  | 'GetStatement'
  | 'GetProjectionStatus';
type RequestOf<K extends QueryMethod> = Parameters<Definition[K]['requestSerialize']>[0];
type ReplyOf<K extends QueryMethod> = ReturnType<Definition[K]['responseDeserialize']>;

export interface CallOptions {
  readonly deadlineMs?: number;
  readonly correlationId?: string;
  /**
   * The bearer token sent; null sends none. Default: a development token for the owner the
   * request restricts to (a customer), or for an admin when it restricts to nobody.
   */
  readonly token?: string | null;
}

/** A failed call as the test sees it: the gRPC status plus the catalogue error the trailers carry. */
export class CallFailed extends Error {
  constructor(
    readonly status: grpc.status,
    readonly appError: AppError,
    readonly trailers: grpc.Metadata | undefined,
  ) {
    super(`${grpc.status[status]}: ${appError.code}: ${appError.message}`);
  }
}

/** A promise-returning client of bank.v1.QueryService, for tests and tools. */
export class QueryClient {
  private readonly client: grpc.Client;

  constructor(address: string, tls: GrpcTlsConfig) {
    const Service = queriesPackage().QueryService;
    this.client = new Service(address, grpcChannelCredentials(tls));
  }

  async call<K extends QueryMethod>(
    method: K,
    request: RequestOf<K>,
    options: CallOptions = {},
  ): Promise<ReplyOf<K>> {
    const definition = queriesPackage().QueryService.service[method] as unknown as {
      path: string;
      requestSerialize: (value: RequestOf<K>) => Buffer;
      responseDeserialize: (bytes: Buffer) => ReplyOf<K>;
    };
    const metadata = new grpc.Metadata();
    if (options.correlationId) metadata.set(METADATA.correlationId, options.correlationId);
    const token = options.token === undefined ? await tokenFor(request) : options.token;
    if (token !== null) setBearerToken(metadata, token);
    const callOptions: grpc.CallOptions =
      options.deadlineMs === undefined
        ? {}
        : { deadline: new Date(Date.now() + options.deadlineMs) };
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        metadata,
        callOptions,
        (error, reply) => {
          if (error) reject(new CallFailed(error.code, fromServiceError(error), error.metadata));
          else if (reply === undefined) reject(new Error('empty reply'));
          else resolve(reply);
        },
      );
    });
  }

  /** Runs `call` and returns the failure it must produce. */
  async failure<K extends QueryMethod>(
    method: K,
    request: RequestOf<K>,
    options: CallOptions = {},
  ): Promise<CallFailed> {
    try {
      await this.call(method, request, options);
    } catch (error) {
      if (error instanceof CallFailed) return error;
      throw error;
    }
    throw new Error(`${method} succeeded but a failure was expected`);
  }

  close(): void {
    this.client.close();
  }
}

/** A development token (the services' default key) for whoever the request says it reads as. */
function tokenFor(request: unknown): Promise<string> {
  const owner = (request as { options?: { restrictToOwner?: string } | null }).options
    ?.restrictToOwner;
  return mintDevelopmentToken({
    sub: owner || 'admin-1',
    roles: owner ? ['customer'] : ['admin'],
  });
}
