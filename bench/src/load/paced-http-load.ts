import * as http from 'node:http';
import type { HttpLoadTarget } from './http-load.js';
import { LatencyRecorder, type LatencySummary } from './latency.js';
import { loadResult, OutcomeCounter, type LoadResult } from './outcomes.js';

/** A request due while all connections are busy waits for one, and that wait counts. */
export interface PacedHttpLoadOptions extends HttpLoadTarget {
  /** Offered load: request i is due at start + i / rate seconds, whatever happened to earlier ones. */
  readonly rate: number;
}

export interface PacedHttpLoadResult extends LoadResult {
  /** Latencies by request path with ids left out (`POST /v1/accounts/:id/deposits`). */
  readonly byRoute: ReadonlyMap<string, LatencySummary>;
  /**
   * How late the generator itself was, per request: from when it was due to when it got a
   * connection (a late timer, the load generator's process waiting for a core, or all
   * connections busy). Part of every latency above; the rest is the server's and the network's.
   */
  readonly lateness: LatencySummary;
}

/**
 * Open-loop load at a fixed rate: requests are due evenly spaced in time, and each latency is
 * measured from when the request was due, not from when it was sent. So a stall is charged to
 * every request it delayed (no coordinated omission), and the load is a steady stream rather than
 * autocannon's `overallRate`, which sends each second's quota back to back at the start of the
 * second (a burst at full concurrency, then silence).
 */
export async function runPacedHttpLoad(
  options: PacedHttpLoadOptions,
): Promise<PacedHttpLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const origin = new URL(options.url);
  const latencies = new LatencyRecorder();
  const routes = new Map<string, LatencyRecorder>();
  const outcomes = new OutcomeCounter();
  const lateness = new LatencyRecorder();
  const intervalMs = 1000 / options.rate;
  const total = Math.max(1, Math.round(options.rate * options.durationSeconds));
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();

  const send = (dueAt: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const spec = options.next();
      const request = http.request(
        {
          agent,
          host: origin.hostname,
          port: origin.port,
          method: spec.method,
          path: spec.path,
          headers: {
            ...spec.headers,
            ...(spec.body === undefined ? {} : { 'content-length': Buffer.byteLength(spec.body) }),
          },
          timeout: 10_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            const ms = performance.now() - dueAt;
            latencies.add(ms);
            const route = `${spec.method} ${spec.path.replace(/[0-9a-f-]{36}/g, ':id')}`;
            let recorder = routes.get(route);
            if (!recorder) routes.set(route, (recorder = new LatencyRecorder()));
            recorder.add(ms);
            outcomes.recordHttp(status);
            options.onBody?.(status, Buffer.concat(chunks).toString('utf8'));
            resolve();
          });
        },
      );
      const fail = (): void => {
        outcomes.record('transport', 'error');
        resolve();
      };
      request.once('socket', () => lateness.add(performance.now() - dueAt));
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', fail);
      request.end(spec.body);
    });

  for (let i = 0; i < total; i += 1) {
    const dueAt = started + i * intervalMs;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = send(dueAt);
    inFlight.add(sent);
    void sent.then(() => inFlight.delete(sent));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return {
    ...loadResult(started, latencies, outcomes),
    byRoute: new Map([...routes].map(([route, recorder]) => [route, recorder.summary()])),
    lateness: lateness.summary(),
  };
}
