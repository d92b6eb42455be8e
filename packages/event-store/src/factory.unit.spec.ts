import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { EventStoreDBEventStore } from './eventstoredb/index.js';
import { createEventStore } from './factory.js';

it('createEventStore picks EventStoreDB when a connection string is given', async () => {
  // The client connects lazily, so no server is needed to construct it.
  const store = await createEventStore({
    eventStoreConnectionString: 'kurrentdb://127.0.0.1:2113?tls=false',
    databaseUrl: 'postgres://unused@127.0.0.1:1/unused',
  });
  try {
    assert.ok(store instanceof EventStoreDBEventStore);
  } finally {
    await store.close();
  }
});
