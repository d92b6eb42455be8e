import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { context as otelContext } from '@opentelemetry/api';
import { HealthImplementation } from 'grpc-health-check';
import { UnauthenticatedError, type CallerAuthenticator } from './auth/caller.js';
import type { Principal } from './auth/principal.js';
import { AppError, type ErrorCategory, type ErrorCode } from './errors.js';
import type { Logger } from './logger.js';
import {
  contextWithSpan,
  extractTraceContext,
  failSpan,
  SpanKind,
  startSpan,
  traceHeaders,
  traceIdOf,
  tracingEnabled,
  type Span,
} from './tracing.js';

export { grpc };

/** Metadata keys the services agree on. */
export const METADATA = {
  correlationId: 'x-correlation-id',
  errorCode: 'bank-code',
  errorField: 'bank-field',
  /** The business rule that refused a command (FAILED_PRECONDITION), as commands.proto promises. */
  errorReason: 'bank-reason',
  retryAfterMs: 'retry-after-ms',
  /** The error is a repeated command's first outcome, answered again. */
  replayed: 'bank-replayed',
} as const;

const STATUS_BY_CATEGORY: Record<ErrorCategory, grpc.status> = {
  validation: grpc.status.INVALID_ARGUMENT,
  forbidden: grpc.status.PERMISSION_DENIED,
  not_found: grpc.status.NOT_FOUND,
  business: grpc.status.FAILED_PRECONDITION,
  conflict: grpc.status.ABORTED,
  unavailable: grpc.status.UNAVAILABLE,
  deadline: grpc.status.DEADLINE_EXCEEDED,
  internal: grpc.status.INTERNAL,
};

const CATEGORY_BY_STATUS = new Map<grpc.status, ErrorCategory>(
  Object.entries(STATUS_BY_CATEGORY).map(([category, status]) => [
    status,
    category as ErrorCategory,
  ]),
);

/** Server side: an error as a gRPC status with the code and details in trailers. */
export function toServiceError(error: unknown): Partial<grpc.StatusObject> {
  if (error instanceof UnauthenticatedError) {
    const metadata = new grpc.Metadata();
    metadata.set(METADATA.errorCode, 'UNAUTHENTICATED');
    return { code: grpc.status.UNAUTHENTICATED, details: error.message, metadata };
  }
  const appError =
    error instanceof AppError ? error : new AppError('internal', 'INTERNAL', 'internal error');
  const metadata = new grpc.Metadata();
  metadata.set(METADATA.errorCode, appError.code);
  if (appError.details.field) metadata.set(METADATA.errorField, appError.details.field);
  if (appError.category === 'business') metadata.set(METADATA.errorReason, appError.code);
  if (appError.details.retryAfterMs !== undefined) {
    metadata.set(METADATA.retryAfterMs, String(appError.details.retryAfterMs));
  }
  if (appError.details.replayed) metadata.set(METADATA.replayed, 'true');
  return { code: STATUS_BY_CATEGORY[appError.category], details: appError.message, metadata };
}

/** Client side: a failed call as an AppError, reading the trailers the server set. */
export function fromServiceError(error: unknown): AppError {
  const serviceError = error as Partial<grpc.ServiceError>;
  const status = serviceError.code ?? grpc.status.UNKNOWN;
  const metadata = serviceError.metadata;
  const first = (key: string): string | undefined => {
    const value = metadata?.get(key)[0];
    return value === undefined ? undefined : String(value);
  };
  const category =
    CATEGORY_BY_STATUS.get(status) ??
    (status === grpc.status.CANCELLED ? 'unavailable' : 'internal');
  const code = (first(METADATA.errorCode) as ErrorCode | undefined) ?? defaultCode(category);
  const field = first(METADATA.errorField);
  const retryAfter = first(METADATA.retryAfterMs);
  const replayed = first(METADATA.replayed) === 'true';
  const message =
    category === 'internal' ? 'internal error' : (serviceError.details ?? 'upstream error');
  return new AppError(category, code, message, {
    ...(field === undefined ? {} : { field }),
    ...(retryAfter === undefined ? {} : { retryAfterMs: Number(retryAfter) }),
    ...(replayed ? { replayed: true as const } : {}),
  });
}

function defaultCode(category: ErrorCategory): ErrorCode {
  switch (category) {
    case 'validation':
      return 'VALIDATION_FAILED';
    case 'forbidden':
      return 'FORBIDDEN';
    case 'not_found':
      return 'NOT_FOUND';
    case 'conflict':
      return 'CONCURRENCY_CONFLICT';
    case 'unavailable':
      return 'UNAVAILABLE';
    case 'deadline':
      return 'DEADLINE_EXCEEDED';
    case 'business':
    case 'internal':
      return 'INTERNAL';
  }
}

/** Error categories that are the server's (or its dependencies') fault: spans marked as errors. */
const SERVER_FAULTS: ReadonlySet<ErrorCategory> = new Set(['internal', 'unavailable', 'deadline']);

/**
 * Outgoing call metadata: the correlation id, and the W3C trace context of the active span (or
 * of `span`) while tracing is on.
 */
export function outgoingMetadata(correlationId: string, span?: Span): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(METADATA.correlationId, correlationId);
  for (const [key, value] of Object.entries(traceHeaders(span))) metadata.set(key, value);
  return metadata;
}

/** The correlation id a call carries, or a new one. */
export function correlationIdOf(metadata: grpc.Metadata): string {
  const value = metadata.get(METADATA.correlationId)[0];
  return typeof value === 'string' && value.length > 0 && value.length <= 128
    ? value
    : randomUUID();
}

export interface UnaryContext {
  readonly correlationId: string;
  readonly logger: Logger;
  /** Absolute deadline of the call, if the client set one. */
  readonly deadline: Date | undefined;
  readonly metadata: grpc.Metadata;
  /** The caller its bearer token proves, when the server authenticates calls. */
  readonly caller: Principal | undefined;
}

export type UnaryHandler<Req, Res> = (request: Req, context: UnaryContext) => Promise<Res>;

export interface UnaryObserver {
  (method: string, outcome: string, seconds: number): void;
}

export interface UnaryOptions {
  readonly logger: Logger;
  readonly observe?: UnaryObserver;
  /**
   * Every call's bearer token verified and the request's claims checked before the handler
   * runs (the command and query services always set it); unset only for test doubles.
   */
  readonly authenticate?: CallerAuthenticator;
}

/**
 * Wraps an async handler as a grpc-js unary handler: caller authentication, correlation-id
 * logging, error mapping (nothing internal leaks), and a latency observation per method and
 * outcome.
 */
export function unary<Req, Res>(
  method: string,
  handler: UnaryHandler<Req, Res>,
  options: UnaryOptions,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const started = process.hrtime.bigint();
    const correlationId = correlationIdOf(call.metadata);
    const span = tracingEnabled()
      ? startSpan(method, {
          kind: SpanKind.SERVER,
          parent: extractTraceContext(call.metadata.getMap()),
          attributes: {
            'rpc.system': 'grpc',
            'rpc.method': method,
            'bank.correlation_id': correlationId,
          },
        })
      : undefined;
    const traceId = traceIdOf(span);
    const bindings =
      traceId === undefined
        ? { correlationId, rpc: method }
        : { correlationId, rpc: method, traceId };
    // The call's child logger is made when something logs: most calls log nothing.
    let callLogger: Logger | undefined;
    const logger = () => (callLogger ??= options.logger.child(bindings));
    const callDeadline = call.getDeadline();
    const deadline =
      callDeadline instanceof Date
        ? callDeadline
        : Number.isFinite(callDeadline)
          ? new Date(callDeadline)
          : undefined;
    // The handler runs with the call's span active, so the spans it starts are children of it.
    const spanContext = contextWithSpan(span);
    const authenticator = options.authenticate;
    const run = async () => {
      const caller = authenticator
        ? await authenticator.authenticate(call.metadata, call.request)
        : undefined;
      return handler(call.request, {
        correlationId,
        get logger() {
          return logger();
        },
        deadline,
        metadata: call.metadata,
        caller,
      });
    };
    (spanContext ? otelContext.with(spanContext, run) : run()).then(
      (response) => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        options.observe?.(method, 'ok', seconds);
        if (options.logger.isLevelEnabled('debug'))
          logger().debug({ ms: seconds * 1000 }, 'call ok');
        span?.setAttribute('rpc.grpc.status_code', grpc.status.OK);
        span?.end();
        callback(null, response);
      },
      (error: unknown) => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const status = toServiceError(error);
        const outcome =
          error instanceof AppError
            ? error.code
            : error instanceof UnauthenticatedError
              ? 'UNAUTHENTICATED'
              : 'INTERNAL';
        options.observe?.(method, outcome, seconds);
        if (span) {
          span.setAttribute('rpc.grpc.status_code', status.code ?? grpc.status.UNKNOWN);
          span.setAttribute('bank.outcome', outcome);
          // Refusals (validation, business rules, not found) are answers, not failures.
          if (
            !(error instanceof AppError || error instanceof UnauthenticatedError) ||
            (error instanceof AppError && SERVER_FAULTS.has(error.category))
          )
            failSpan(span, error);
          span.end();
        }
        if (error instanceof UnauthenticatedError) {
          logger().warn({ code: outcome, ms: seconds * 1000 }, error.message);
        } else if (error instanceof AppError && error.category !== 'internal') {
          logger().info({ code: error.code, ms: seconds * 1000 }, error.message);
        } else {
          logger().error({ err: error, ms: seconds * 1000 }, 'call failed');
        }
        callback(status, null);
      },
    );
  };
}

export interface RunningGrpcServer {
  readonly server: grpc.Server;
  readonly port: number;
  readonly health: HealthImplementation;
  /** Stops taking calls, lets in-flight calls finish for up to `graceMs`, then forces. */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * Binds a gRPC server with grpc.health.v1 on host:port (port 0 picks a free one), with the
 * given credentials (see tls.ts: mTLS, or plaintext only when configured so).
 */
export async function startGrpcServer(options: {
  host: string;
  port: number;
  credentials: grpc.ServerCredentials;
  register: (server: grpc.Server) => void;
  healthServices: readonly string[];
}): Promise<RunningGrpcServer> {
  const server = new grpc.Server({
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': 1024 * 1024,
  });
  const statusMap: Record<string, 'SERVING'> = { '': 'SERVING' };
  for (const name of options.healthServices) statusMap[name] = 'SERVING';
  const health = new HealthImplementation(statusMap);
  health.addToServer(server);
  options.register(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, options.credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  return {
    server,
    port,
    health,
    shutdown: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        for (const name of ['', ...options.healthServices]) health.setStatus(name, 'NOT_SERVING');
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/**
 * A grpc-js channel target for one or more upstream addresses: a comma list of host:port
 * becomes an `ipv4:`/`dns:` target, balanced round-robin over every address.
 */
export function upstreamTarget(addresses: string): string {
  const list = addresses
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new Error('no upstream address given');
  if (list.length === 1) {
    const only = list[0] as string;
    return /^[a-z0-9+.-]+:\/\//i.test(only) || /^(dns|ipv4|ipv6|unix):/.test(only)
      ? only
      : `dns:${only}`;
  }
  const allIpv4 = list.every((a) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(a));
  if (!allIpv4) throw new Error('a list of upstream addresses must be IPv4 host:port pairs');
  return `ipv4:${list.join(',')}`;
}

/** Channel options: round-robin over every resolved address. */
export const ROUND_ROBIN_OPTIONS: grpc.ChannelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  'grpc.keepalive_time_ms': 30_000,
  'grpc.enable_retries': 0,
};
