import pg from 'pg';
import { translateInfrastructureError } from './errors.js';

/**
 * The store's connection pool, its own or one the caller lends, closed to new work once the
 * store closes. Every query through it reports a lost database as EventStoreUnavailableError.
 */
export class StorePool {
  readonly pool: pg.Pool;
  /** Where the LISTEN connection goes: the same server and credentials as the pool. */
  readonly listenConfig: pg.ClientConfig;
  private readonly ownsPool: boolean;
  private closed = false;

  constructor(connection: pg.Pool | pg.PoolConfig | string) {
    if (isPool(connection)) {
      this.pool = connection;
      this.ownsPool = false;
      this.listenConfig = connection.options;
    } else {
      this.listenConfig =
        typeof connection === 'string' ? { connectionString: connection } : connection;
      this.pool = new pg.Pool(this.listenConfig);
      this.ownsPool = true;
      // An idle client that dies is reported here; without a listener it would crash the process.
      this.pool.on('error', () => undefined);
    }
    // A checked-out client whose server goes away reports on itself (pg-pool lends it without its
    // idle listener): without one, a PostgreSQL restart crashes the process. The query rejects.
    this.pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** From now on every new operation fails; `end` then releases the connections. */
  close(): void {
    this.closed = true;
  }

  /** Ends the pool if the store created it; a lent pool stays the caller's to end. */
  async end(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }

  async connect(): Promise<pg.PoolClient> {
    this.assertOpen();
    try {
      return await this.pool.connect();
    } catch (error) {
      throw translateInfrastructureError(error);
    }
  }

  async query<R extends pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    try {
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      throw translateInfrastructureError(error);
    }
  }
}

/** Duck-typed, so that a pool from another copy of `pg` in node_modules is recognised too. */
function isPool(connection: pg.Pool | pg.PoolConfig | string): connection is pg.Pool {
  return (
    typeof connection === 'object' &&
    typeof (connection as Partial<pg.Pool>).connect === 'function' &&
    typeof (connection as Partial<pg.Pool>).query === 'function'
  );
}
