import { describeEventStoreContract } from '../contract.js';
import { InMemoryEventStore } from './in-memory-event-store.js';

describeEventStoreContract(
  'InMemoryEventStore',
  () => {
    const store = new InMemoryEventStore();
    return Promise.resolve({ store, cleanup: () => store.close() });
  },
  { duplicateEventIds: 'reject', purgesOutcomes: true, timeoutMs: 20_000 },
);
