import type { BeginResult, IdempotencyStore, StoredResponse } from './store.js';

interface Row {
  requestHash: string;
  commandId: string;
  response: StoredResponse | null;
  abandoned: boolean;
  createdAt: number;
}

const rowId = (scope: string, key: string): string => JSON.stringify([scope, key]);

/** The store's contract in memory: for unit tests and a single development gateway. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly rows = new Map<string, Row>();

  prepare(): Promise<void> {
    return Promise.resolve();
  }

  begin(scope: string, key: string, requestHash: string, commandId: string): Promise<BeginResult> {
    const id = rowId(scope, key);
    const row = this.rows.get(id);
    if (!row) {
      this.rows.set(id, {
        requestHash,
        commandId,
        response: null,
        abandoned: false,
        createdAt: Date.now(),
      });
      return Promise.resolve({ kind: 'started', commandId });
    }
    if (row.requestHash !== requestHash) return Promise.resolve({ kind: 'mismatch' });
    if (row.response) return Promise.resolve({ kind: 'replay', response: row.response });
    if (!row.abandoned) return Promise.resolve({ kind: 'in_flight' });
    row.abandoned = false;
    return Promise.resolve({ kind: 'started', commandId: row.commandId });
  }

  complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    const row = this.rows.get(rowId(scope, key));
    if (row) row.response = response;
    return Promise.resolve();
  }

  abandon(scope: string, key: string): Promise<void> {
    const row = this.rows.get(rowId(scope, key));
    if (row?.response === null) row.abandoned = true;
    return Promise.resolve();
  }

  purge(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let purged = 0;
    for (const [id, row] of this.rows) {
      if (row.createdAt < cutoff) {
        this.rows.delete(id);
        purged++;
      }
    }
    return Promise.resolve(purged);
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
