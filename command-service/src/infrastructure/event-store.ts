import { createEventStore, type EventStore } from '@bank/event-store';
import { createPool } from '@bank/platform';
import type { CommandServiceConfig } from '../environment.js';

export interface OpenedEventStore {
  readonly store: EventStore;
  /** Closes the store, then the connection pool this service opened for it. */
  close(): Promise<void>;
}

/**
 * The event store the configuration names (EventStoreDB when EVENTSTORE_CONNECTION_STRING is
 * set, else PostgreSQL at DATABASE_URL, table created if missing). The PostgreSQL pool is opened
 * here so that DATABASE_POOL_SIZE bounds it.
 */
export async function openEventStore(config: CommandServiceConfig): Promise<OpenedEventStore> {
  if (config.eventStoreConnectionString) {
    const store = await createEventStore({
      eventStoreConnectionString: config.eventStoreConnectionString,
      databaseUrl: config.databaseUrl,
    });
    return { store, close: () => store.close() };
  }
  const pool = createPool({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize });
  // An idle client that dies is reported on the pool; without a listener it would crash the process.
  pool.on('error', () => undefined);
  try {
    const store = await createEventStore({ databaseUrl: config.databaseUrl, pool });
    return {
      store,
      close: async () => {
        await store.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
