import { randomUUID } from 'node:crypto';
import type { Schemas } from './api.js';

export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body (undefined when there was none). */
  readonly body: T;
}

/** The document's own types (generated from the gateway's /openapi.json), by their old names. */
export type Problem = Schemas['Problem'];
export type Account = Schemas['Account'];
export type AccountResult = Schemas['AccountCommandResult'];
export type HoldResult = Schemas['HoldResult'];

export interface PostOptions {
  /** Default: a fresh UUID; null sends no Idempotency-Key. */
  readonly idempotencyKey?: string | null;
  /** Sent as is instead of JSON.stringify(body). */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface GetOptions {
  /** X-Consistency-Token: a command's `position`. */
  readonly consistency?: string;
  readonly headers?: Record<string, string>;
}

/**
 * A caller of the gateway's REST API with one bearer token (or none), sending requests as given:
 * for what the typed client (./api.ts) cannot send (broken bodies, missing headers, raw paths).
 */
export class Client {
  constructor(
    readonly baseUrl: string,
    readonly token: string | undefined,
  ) {}

  withToken(token: string | undefined): Client {
    return new Client(this.baseUrl, token);
  }

  post<T = unknown>(
    path: string,
    body?: unknown,
    options: PostOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.idempotencyKey === undefined ? randomUUID() : options.idempotencyKey;
    if (key !== null) headers['idempotency-key'] = key;
    const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    return this.request<T>('POST', path, headers, payload);
  }

  get<T = unknown>(path: string, options: GetOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.consistency !== undefined) headers['x-consistency-token'] = options.consistency;
    return this.request<T>('GET', path, headers, undefined);
  }

  /** A POST that must succeed: returns the body, fails with the problem otherwise. */
  async ok<T>(path: string, body?: unknown, options: PostOptions = {}): Promise<T> {
    const response = await this.post<T>(path, body, options);
    if (response.status !== 200 && response.status !== 201) {
      throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }

  /** A GET that must succeed (read-your-writes when `consistency` is given). */
  async read<T>(path: string, consistency?: string): Promise<T> {
    const response = await this.get<T>(path, consistency === undefined ? {} : { consistency });
    if (response.status !== 200) {
      throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }

  private async request<T>(
    method: string,
    path: string,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<ApiResponse<T>> {
    if (this.token !== undefined) headers['authorization'] ??= `Bearer ${this.token}`;
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text === '' ? undefined : JSON.parse(text)) as T,
    };
  }
}
