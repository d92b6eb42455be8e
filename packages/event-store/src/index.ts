export * from './port.js';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/index.js';
export { createEventStore, type EventStoreConfig } from './factory.js';
export { withoutMultiStreamAppend } from './without-multi-stream-append.js';
// The EventStoreDB adapter itself: import '@bank/event-store/eventstoredb' (loads its gRPC client).
