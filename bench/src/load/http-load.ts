import autocannon from 'autocannon';
import { LatencyRecorder } from './latency.js';
import { OutcomeCounter, type LoadResult } from './outcomes.js';

export interface HttpRequestSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** What both HTTP load generators are given: where, how wide, how long, and what to send. */
export interface HttpLoadTarget {
  /** Origin, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Keep-alive connections. */
  readonly connections: number;
  readonly durationSeconds: number;
  /** Builds each request (a fresh Idempotency-Key, a random account, ...). */
  readonly next: () => HttpRequestSpec;
  /** Sees each answer's status and body (e.g. to read the consistency token). */
  readonly onBody?: (status: number, body: string) => void;
}

export interface HttpLoadOptions extends HttpLoadTarget {
  /** The run stops after this many answers even if time is left. */
  readonly maxRequests: number;
}

export type HttpLoadResult = LoadResult;

/**
 * Drives HTTP load as fast as it goes (closed loop) with autocannon (keep-alive connections, one
 * request in flight each; fixed-rate load is runPacedHttpLoad) and
 * records every answer's latency and status itself, so p95 and exact status counts are known.
 */
export async function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const latencies = new LatencyRecorder();
  const outcomes = new OutcomeCounter();
  const started = performance.now();
  let answered = 0;
  let stopped = false;
  const {
    promise: done,
    resolve: finish,
    reject: fail,
  } = Promise.withResolvers<autocannon.Result>();
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.durationSeconds,
      timeout: 10,
      requests: [
        {
          setupRequest: (request) => {
            const spec = options.next();
            return {
              ...request,
              method: spec.method,
              path: spec.path,
              headers: spec.headers,
              ...(spec.body === undefined ? {} : { body: spec.body }),
            };
          },
          ...(options.onBody
            ? {
                onResponse: (status: number, body: string) => options.onBody?.(status, body),
              }
            : {}),
        },
      ],
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.add(responseTime);
    outcomes.recordHttp(statusCode);
    answered += 1;
    if (answered >= options.maxRequests && !stopped) {
      stopped = true;
      instance.stop();
    }
  });
  const result = await done;
  const seconds = (performance.now() - started) / 1000;
  for (let i = 0; i < result.errors + result.timeouts; i += 1)
    outcomes.record('transport', 'error');
  return {
    seconds,
    throughput: answered / seconds,
    okThroughput: outcomes.ok / seconds,
    latency: latencies.summary(),
    outcomes,
  };
}
