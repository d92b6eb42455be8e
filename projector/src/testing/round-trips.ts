import pg from 'pg';

/** A transaction as one pg client sent it: the text of each query, one round trip each. */
export interface RecordedTransaction {
  readonly queries: string[];
}

/**
 * Records the transactions every pg client of this process sends, from the query that opens one
 * (BEGIN) to the one that ends it (COMMIT or ROLLBACK). pg sends one query at a time and waits
 * for its answer, so each query is a round trip.
 */
export class TransactionRecorder {
  readonly transactions: RecordedTransaction[] = [];
  private readonly open = new WeakMap<pg.Client, string[]>();
  // Put back on the prototype as it was taken, never called unbound.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  private readonly original = pg.Client.prototype.query;

  start(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const recorder = this;
    const original = this.original;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      recorder.saw(this, textOf(args[0]));
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
  }

  stop(): void {
    pg.Client.prototype.query = this.original;
  }

  /** The recorded transactions that touched `table`. */
  touching(table: string): RecordedTransaction[] {
    return this.transactions.filter((tx) => tx.queries.some((q) => q.includes(table)));
  }

  private saw(client: pg.Client, text: string): void {
    const trimmed = text.trim().replace(/;$/, '').trim().toUpperCase();
    let queries = this.open.get(client);
    if (trimmed.startsWith('BEGIN')) {
      queries = [];
      this.open.set(client, queries);
    }
    if (!queries) return;
    queries.push(text);
    if (trimmed.endsWith('COMMIT') || trimmed === 'ROLLBACK') {
      this.open.delete(client);
      this.transactions.push({ queries });
    }
  }
}

function textOf(config: unknown): string {
  if (typeof config === 'string') return config;
  if (config && typeof config === 'object' && 'text' in config) return String(config.text);
  return '';
}
