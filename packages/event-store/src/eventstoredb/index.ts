export { EventStoreDBEventStore } from './eventstoredb-event-store.js';
