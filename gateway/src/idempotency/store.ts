/** A stored final answer to a POST. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** What a POST with an Idempotency-Key may do. */
export type BeginResult =
  /**
   * First use of the key (or a takeover of an abandoned attempt): run the command under
   * `commandId`, the one the key was first claimed with.
   */
  | { readonly kind: 'started'; readonly commandId: string }
  /** Same key, same request, finished: answer with the stored response. */
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  /** Same key, different request. */
  | { readonly kind: 'mismatch' }
  /** Same key, the first attempt is still running. */
  | { readonly kind: 'in_flight' };

export interface IdempotencyStore {
  /** Creates what the store needs (its table); safe to run from many gateways at once. */
  prepare(): Promise<void>;
  /**
   * Claims (scope, key) for a request with `requestHash` and the command id it is first run
   * under, or says why not. A takeover answers with the command id stored with the claim.
   */
  begin(scope: string, key: string, requestHash: string, commandId: string): Promise<BeginResult>;
  /** Records the final answer of a started request. */
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  /**
   * Gives up a started request whose outcome is unknown: a retry takes the claim over at once
   * and runs it again under the same command id (the command service answers it once).
   */
  abandon(scope: string, key: string): Promise<void>;
  /** Deletes keys older than the retention; returns how many. */
  purge(olderThanMs: number): Promise<number>;
  /** The store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
