import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { outgoingMetadata } from './grpc.js';
import {
  extractTraceContext,
  SpanKind,
  startSpan,
  startTracing,
  traceHeaders,
  traceparentOf,
  tracingEnabled,
  withSpan,
  type Tracing,
} from './tracing.js';

describe('tracing while off', () => {
  it('creates nothing and propagates nothing', async () => {
    assert.equal(tracingEnabled(), false);
    assert.equal(startTracing({ service: 's', version: '1', endpoint: undefined }).enabled, false);
    assert.equal(startSpan('x', { kind: SpanKind.INTERNAL }), undefined);
    assert.deepEqual(traceHeaders(), {});
    assert.equal(
      extractTraceContext({ traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` }),
      undefined,
    );
    assert.equal(
      await withSpan('x', { kind: SpanKind.INTERNAL }, (span) => Promise.resolve(span)),
      undefined,
    );
    assert.equal(outgoingMetadata('c-1').get('traceparent').length, 0);
  });
});

describe('tracing while on', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  before(() => {
    tracing = startTracing({ service: 'svc', version: '1.0.0', endpoint: undefined, exporter });
  });
  after(() => tracing.shutdown());

  it('links spans across gRPC metadata, event metadata and Kafka headers into one trace', async () => {
    exporter.reset();
    await withSpan('POST /v1/x', { kind: SpanKind.SERVER }, (http) => {
      // gateway → command service: the client's metadata names the active span as parent.
      const metadata = outgoingMetadata('c-1');
      assert.equal(metadata.get('x-correlation-id')[0], 'c-1');
      const server = startSpan('Deposit', {
        kind: SpanKind.SERVER,
        parent: extractTraceContext(metadata.getMap()),
      });
      // command service → event metadata → Kafka headers (Buffer values) → projector.
      const append = startSpan('append', {
        kind: SpanKind.CLIENT,
        parent: extractTraceContext(traceHeaders(server)),
      });
      const eventMetadata = { correlationId: 'c-1', traceparent: traceparentOf(append) };
      const headers = { traceparent: Buffer.from(String(eventMetadata.traceparent)) };
      const project = startSpan('project', {
        kind: SpanKind.CONSUMER,
        parent: extractTraceContext(headers),
      });
      for (const span of [project, append, server]) span?.end();
      assert.ok(http);
      return Promise.resolve();
    });
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((span) => [span.name, span]));
    const parentOf = (name: string) => byName.get(name)?.parentSpanContext?.spanId;
    const idOf = (name: string) => byName.get(name)?.spanContext().spanId;
    assert.equal(new Set(spans.map((span) => span.spanContext().traceId)).size, 1, 'one trace');
    assert.equal(parentOf('Deposit'), idOf('POST /v1/x'));
    assert.equal(parentOf('append'), idOf('Deposit'));
    assert.equal(parentOf('project'), idOf('append'));
    assert.equal(byName.get('POST /v1/x')?.resource.attributes['service.name'], 'svc');
  });

  it('marks a span failed when its work throws, and ignores a carrier without a traceparent', async () => {
    exporter.reset();
    await assert.rejects(
      withSpan('boom', { kind: SpanKind.INTERNAL }, () => Promise.reject(new Error('no'))),
      /no/,
    );
    assert.equal(exporter.getFinishedSpans()[0]?.status.code, 2);
    assert.equal(extractTraceContext({ correlationId: 'x' }), undefined);
    assert.equal(extractTraceContext({ traceparent: 'garbage' }), undefined);
  });
});
