import { hostname } from 'node:os';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry tracing, off unless a process turns it on (OTEL_EXPORTER_OTLP_ENDPOINT in its
 * main.ts). While off, every helper here returns at its first line: no span objects, no context
 * switches, no header parsing. The W3C `traceparent` crosses each hop explicitly: gRPC metadata,
 * the event's stored metadata, Kafka headers.
 */

export { SpanKind, SpanStatusCode, type Context as TraceContext, type Span };

/** The header / metadata key / event metadata field that carries the W3C trace context. */
export const TRACEPARENT = 'traceparent';

const TRACER_NAME = '@bank/platform';
let enabled = false;

/** True once a tracer provider is registered in this process. */
export function tracingEnabled(): boolean {
  return enabled;
}

export interface TracingOptions {
  readonly service: string;
  readonly version: string;
  /** OTLP/HTTP collector base URL; spans are posted to `<endpoint>/v1/traces`. */
  readonly endpoint: string | undefined;
  /** Tests: export here, synchronously (SimpleSpanProcessor), instead of OTLP. */
  readonly exporter?: SpanExporter;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Exports the spans still buffered and unregisters the provider. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: () => Promise.resolve() };

/**
 * Registers a tracer provider for this process (service name, version and instance as the
 * resource; W3C trace context as the propagator; AsyncLocalStorage for the active span), or does
 * nothing when no endpoint (and no test exporter) is given. Call once, from the process's main.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (options.exporter === undefined && options.endpoint === undefined) return OFF;
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${options.endpoint?.replace(/\/+$/, '')}/v1/traces` }),
      );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.service,
      'service.version': options.version,
      'service.instance.id': `${hostname()}:${process.pid}`,
    }),
    spanProcessors: [processor],
  });
  provider.register();
  enabled = true;
  return {
    enabled: true,
    shutdown: async () => {
      await provider.shutdown();
      enabled = false;
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export interface SpanOptions {
  readonly kind: SpanKind;
  readonly attributes?: Attributes;
  /** The parent; defaults to the active context. */
  readonly parent?: Context | undefined;
}

/** A started span (end it yourself), or undefined while tracing is off. */
export function startSpan(name: string, options: SpanOptions): Span | undefined {
  if (!enabled) return undefined;
  return trace
    .getTracer(TRACER_NAME)
    .startSpan(
      name,
      { kind: options.kind, ...(options.attributes ? { attributes: options.attributes } : {}) },
      options.parent ?? context.active(),
    );
}

/**
 * Runs `work` with a new span as the active one (so spans started inside are its children), ends
 * it when `work` settles and marks it failed on an exception. While tracing is off: just `work()`.
 */
export async function withSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, options);
  if (!span) return await work(undefined);
  try {
    return await context.with(trace.setSpan(options.parent ?? context.active(), span), () =>
      work(span),
    );
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Records an exception on a span and marks it as an error. */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    ...(error instanceof Error ? { message: error.message } : {}),
  });
}

/** The context a span belongs to, to hand to work that runs outside its async scope. */
export function contextWithSpan(span: Span | undefined): Context | undefined {
  return span ? trace.setSpan(context.active(), span) : undefined;
}

/**
 * The W3C trace context of a span (default: the active one) as carrier fields:
 * `{ traceparent, tracestate? }`, or `{}` while tracing is off or no span is active.
 */
export function traceHeaders(span?: Span): Record<string, string> {
  if (!enabled) return {};
  const carrier: Record<string, string> = {};
  const ctx = span ? trace.setSpan(context.active(), span) : context.active();
  propagation.inject(ctx, carrier);
  return carrier;
}

/** Just the `traceparent` of a span (default: the active one), if any. */
export function traceparentOf(span?: Span): string | undefined {
  return traceHeaders(span)[TRACEPARENT];
}

type Carrier = Readonly<Record<string, unknown>>;

const carrierGetter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') return first;
    if (Buffer.isBuffer(first)) return first.toString('utf8');
    return undefined;
  },
};

/**
 * The remote parent a carrier names (HTTP or Kafka headers, event metadata: string or Buffer
 * values), or undefined while tracing is off or the carrier has no valid `traceparent`.
 */
export function extractTraceContext(carrier: Carrier | undefined): Context | undefined {
  if (!enabled || carrier === undefined || carrier[TRACEPARENT] === undefined) return undefined;
  const extracted = propagation.extract(ROOT_CONTEXT, carrier, carrierGetter);
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

/** The trace id of a span, to put on log lines. */
export function traceIdOf(span: Span | undefined): string | undefined {
  return span?.spanContext().traceId;
}
