/** One HTTP exchange with the gateway, classified the way a careful client must. */
export type Outcome =
  | { readonly kind: 'ack'; readonly status: number; readonly body: Record<string, unknown> }
  | {
      readonly kind: 'rejected';
      readonly status: number;
      readonly code: string;
      readonly body: Record<string, unknown>;
    }
  | { readonly kind: 'unknown'; readonly status: number; readonly reason: string };

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly token?: string;
  readonly idempotencyKey?: string;
  readonly consistencyToken?: string;
  readonly body?: unknown;
  readonly timeoutMs?: number;
}

/**
 * 2xx: acknowledged. 4xx other than 409/429: rejected, final. Anything else (a timeout, a refused
 * connection, 5xx, 409 in flight or conflict, 429): the outcome is unknown and the same
 * Idempotency-Key must be sent again to learn it.
 */
export async function send(baseUrl: string, request: HttpRequest): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (request.token) headers['authorization'] = `Bearer ${request.token}`;
  if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
  if (request.consistencyToken) headers['x-consistency-token'] = request.consistencyToken;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs ?? 8000),
    });
    text = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { kind: 'unknown', status: 0, reason: cause ?? (error as Error).name };
  }
  const status = response.status;
  let body: Record<string, unknown> = {};
  try {
    body = text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { raw: text.slice(0, 200) };
  }
  if (status >= 200 && status < 300) return { kind: 'ack', status, body };
  if (status >= 400 && status < 500 && status !== 409 && status !== 429) {
    return { kind: 'rejected', status, code: codeOf(body, ''), body };
  }
  return { kind: 'unknown', status, reason: codeOf(body, String(status)) };
}

function codeOf(body: Record<string, unknown>, fallback: string): string {
  const code = body['code'];
  return typeof code === 'string' ? code : fallback;
}
