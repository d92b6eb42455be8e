import type { BeginResult, IdempotencyStore, StoredResponse } from './store.js';

interface Row {
  requestHash: string;
  response: StoredResponse | null;
  createdAt: number;
}

/** The store's contract in memory: for unit tests and a single development gateway. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly rows = new Map<string, Row>();

  prepare(): Promise<void> {
    return Promise.resolve();
  }

  begin(scope: string, key: string, requestHash: string): Promise<BeginResult> {
    const id = `${scope}\u0000${key}`;
    const row = this.rows.get(id);
    if (!row) {
      this.rows.set(id, { requestHash, response: null, createdAt: Date.now() });
      return Promise.resolve({ kind: 'started' });
    }
    if (row.requestHash !== requestHash) return Promise.resolve({ kind: 'mismatch' });
    return Promise.resolve(
      row.response ? { kind: 'replay', response: row.response } : { kind: 'in_flight' },
    );
  }

  complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    const row = this.rows.get(`${scope}\u0000${key}`);
    if (row) row.response = response;
    return Promise.resolve();
  }

  abandon(scope: string, key: string): Promise<void> {
    const id = `${scope}\u0000${key}`;
    if (this.rows.get(id)?.response === null) this.rows.delete(id);
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
