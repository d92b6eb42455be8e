export * from './port.js';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/index.js';
export { EventStoreDBEventStore } from './eventstoredb/index.js';
export { createEventStore, type EventStoreConfig } from './factory.js';
