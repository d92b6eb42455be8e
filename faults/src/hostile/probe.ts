import type pg from 'pg';
import type { Findings } from '../check/findings.js';

export interface RawRequest {
  readonly method: string;
  /** Path and query, already encoded. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface ProbeAnswer {
  readonly status: number;
  readonly body: string;
  /** The answer carried `Idempotent-Replayed: true`. */
  readonly replayed: boolean;
}

export interface Probe {
  /** Requests sent (and answered), by outcome class. */
  readonly counts: Record<string, number>;
  /**
   * Sends one hostile request and checks the universal rules: never a 5xx, and a 4xx leaves
   * the event store as it was. Returns the status (0: the client could not even send it).
   */
  send(request: RawRequest, label: string): Promise<ProbeAnswer>;
}

export function createProbe(baseUrl: string, pool: pg.Pool, findings: Findings): Probe {
  const counts: Record<string, number> = {};
  const bump = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  return {
    counts,
    async send(request, label) {
      const before = await headPosition(pool);
      let status = 0;
      let body = '';
      let replayed = false;
      try {
        const response = await fetch(`${baseUrl}${request.path}`, {
          method: request.method,
          headers: request.headers ?? {},
          body: request.body,
          signal: AbortSignal.timeout(15_000),
        });
        status = response.status;
        replayed = response.headers.get('idempotent-replayed') === 'true';
        body = await response.text();
      } catch (error) {
        // fetch refuses some inputs itself (a header that is not a ByteString): nothing was sent.
        if (error instanceof TypeError && clientSideRefusal(error)) {
          bump('unsendable');
          return { status: 0, body: '', replayed };
        }
        findings.check(
          false,
          () =>
            `${label}: ${request.method} ${request.path}: no answer (${(error as Error).message})`,
        );
        return { status: 0, body: '', replayed };
      }
      bump(`${Math.floor(status / 100)}xx`);
      findings.check(
        status < 500,
        () =>
          `${label}: ${request.method} ${request.path.slice(0, 200)} → ${status} ${body.slice(0, 300)} (headers ${JSON.stringify(request.headers).slice(0, 300)}, body ${JSON.stringify(request.body?.slice(0, 300))})`,
      );
      findings.check(
        status < 400 || !/at .+\.js:\d+|SELECT |INSERT |syntax error/i.test(body),
        () => `${label}: answer leaks internals: ${body.slice(0, 300)}`,
      );
      if (status >= 400) {
        const after = await headPosition(pool);
        findings.check(
          after === before,
          () =>
            `${label}: ${request.method} ${request.path.slice(0, 200)} → ${status} but the event store moved from ${before} to ${after}`,
        );
      }
      return { status, body, replayed };
    },
  };
}

export async function headPosition(pool: pg.Pool): Promise<bigint> {
  const { rows } = await pool.query<{ head: string | null }>(
    'SELECT max(position)::text AS head FROM events',
  );
  return BigInt(rows[0]?.head ?? '0');
}

export function jsonHeaders(
  token: string | undefined,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  };
}

/** fetch refused to send it (a header that is not a ByteString, a control character): not the server's doing. */
function clientSideRefusal(error: TypeError): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return (
    cause === undefined || cause.code === 'UND_ERR_INVALID_ARG' || cause.code === 'ERR_INVALID_CHAR'
  );
}
