import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from '../api/bank-api.gen.js';

/**
 * The gateway through a client typed from the document it serves (openapi-fetch over the
 * openapi-typescript types in ../api/bank-api.gen.ts): a path, parameter or body the document
 * does not declare does not compile, so the document cannot drift from what the tests send.
 */
export type Api = Client<paths>;

/** The document's schemas: `Schemas['Account']`, `Schemas['Problem']`, ... */
export type Schemas = components['schemas'];

/** The JSON body an operation takes, by its operationId: `RequestBody<'openAccount'>`. */
export type RequestBody<Operation extends keyof operations> = operations[Operation] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** A client calling as one bearer token (or none). */
export function createApi(baseUrl: string, token: string | undefined): Api {
  return createClient<paths>({
    baseUrl,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

/** The headers of a command: its Idempotency-Key (a fresh one unless given). */
export const command = (key: string = randomUUID()) => ({ 'idempotency-key': key });

/** The headers of a read that must include the write at `position` (read-your-writes). */
export const after = (position: string) => ({ 'x-consistency-token': position });

/** Opens an account (a fresh Idempotency-Key); the 201's body. */
export const openAccount = (api: Api, body: RequestBody<'openAccount'>) =>
  ok(api.POST('/v1/accounts', { params: { header: command() }, body }), 201);

/** Deposits `amount` into account `id` (a fresh Idempotency-Key); the 200's body. */
export const deposit = (api: Api, id: string, amount: string) =>
  ok(
    api.POST('/v1/accounts/{id}/deposits', {
      params: { path: { id }, header: command() },
      body: { amount },
    }),
    200,
  );

/** What every openapi-fetch call answers. */
interface Answer<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/**
 * The body of a successful answer (of `status`, when given); anything else fails the test with
 * the method, path, status and problem.
 */
export async function ok<T>(call: Promise<Answer<T>>, status?: number): Promise<T> {
  const { data, error, response } = await call;
  if (data === undefined || (status !== undefined && response.status !== status)) {
    const url = new URL(response.url);
    throw new Error(`${url.pathname}${url.search}: ${response.status} ${JSON.stringify(error)}`);
  }
  return data;
}

/**
 * The body of a command's 201, which records something: an operation that also has a dry run
 * (200, `dryRun: true`) answers either, and this one must not be the dry run.
 */
export async function recorded<T>(call: Promise<Answer<T>>): Promise<Exclude<T, DryRunBody>> {
  const data: T = await ok(call, 201);
  if (isDryRun(data)) throw new Error('a dry run answered where a command was to record');
  return data as Exclude<T, DryRunBody>;
}

/** The body of a dry run's 200: what would happen, nothing recorded. */
export async function dryRun<T>(call: Promise<Answer<T>>): Promise<Extract<T, DryRunBody>> {
  const data: T = await ok(call, 200);
  if (!isDryRun(data)) throw new Error('a dry run answered as if it had recorded something');
  return data;
}

type DryRunBody = { dryRun: true };

const isDryRun = <T>(data: T): data is Extract<T, DryRunBody> =>
  (data as { dryRun?: unknown }).dryRun === true;
