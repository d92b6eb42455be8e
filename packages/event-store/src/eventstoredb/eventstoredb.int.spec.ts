import { test } from 'node:test';
import { describeEventStoreContract } from '../contract.js';
import { EventStoreDBEventStore } from './eventstoredb-event-store.js';

const connectionString = process.env['EVENTSTORE_CONNECTION_STRING'];

if (connectionString) {
  describeEventStoreContract(
    'EventStoreDBEventStore',
    () => {
      const store = new EventStoreDBEventStore(connectionString);
      return Promise.resolve({ store, cleanup: () => store.close() });
    },
    { duplicateEventIds: 'idempotent', purgesOutcomes: false },
  );
} else {
  test(
    'EventStoreDB adapter contract',
    {
      skip: 'EventStoreDB adapter contract tests skipped: EVENTSTORE_CONNECTION_STRING is not set (no EventStoreDB server on this machine)',
    },
    () => undefined,
  );
}
