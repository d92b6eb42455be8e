import type pg from 'pg';
import type { EventStore } from './port.js';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/index.js';

export interface EventStoreConfig {
  /** When set, events live in EventStoreDB (production); otherwise in PostgreSQL. */
  readonly eventStoreConnectionString?: string | undefined;
  /** PostgreSQL connection string, used when no EventStoreDB connection string is given. */
  readonly databaseUrl: string;
  /** An existing pool to use instead of opening one from `databaseUrl`. */
  readonly pool?: pg.Pool | undefined;
  /** PostgreSQL adapter options (table, notify channel, poll interval). */
  readonly postgres?: PostgresEventStoreOptions | undefined;
  /** Create the PostgreSQL table if missing; default true. */
  readonly migrate?: boolean | undefined;
}

/**
 * Picks the adapter from configuration: EventStoreDB when it is configured, else PostgreSQL.
 * The EventStoreDB client (and its gRPC stack) is loaded only when it is the one picked.
 */
export async function createEventStore(config: EventStoreConfig): Promise<EventStore> {
  if (config.eventStoreConnectionString) {
    const { EventStoreDBEventStore } = await import('./eventstoredb/index.js');
    return new EventStoreDBEventStore(config.eventStoreConnectionString);
  }
  const store = new PostgresEventStore(config.pool ?? config.databaseUrl, config.postgres ?? {});
  if (config.migrate ?? true) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}
