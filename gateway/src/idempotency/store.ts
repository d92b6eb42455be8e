/** A stored final answer to a POST. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** What a POST with an Idempotency-Key may do. */
export type BeginResult =
  /** First use of the key (or a takeover of an abandoned attempt): run the command. */
  | { readonly kind: 'started' }
  /** Same key, same request, finished: answer with the stored response. */
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  /** Same key, different request. */
  | { readonly kind: 'mismatch' }
  /** Same key, the first attempt is still running. */
  | { readonly kind: 'in_flight' };

export interface IdempotencyStore {
  /** Creates what the store needs (its table); safe to run from many gateways at once. */
  prepare(): Promise<void>;
  /** Claims (scope, key) for a request with `requestHash`, or says why not. */
  begin(scope: string, key: string, requestHash: string): Promise<BeginResult>;
  /** Records the final answer of a started request. */
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** Forgets a started request whose outcome is unknown, so that a retry runs it again. */
  abandon(scope: string, key: string): Promise<void>;
  /** Deletes keys older than the retention; returns how many. */
  purge(olderThanMs: number): Promise<number>;
  /** The store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
