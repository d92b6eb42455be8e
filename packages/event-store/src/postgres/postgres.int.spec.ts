import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createTestSchema } from '@bank/testkit';
import {
  assertFollowsGlobalOrder,
  describeEventStoreContract,
  follow,
  newEvent,
  newNamespace,
  sleep,
} from '../contract.js';
import { createEventStore } from '../factory.js';
import { ConcurrencyError, DuplicateEventError, EventStoreUnavailableError } from '../port.js';
import { PostgresEventStore } from './postgres-event-store.js';

const schema = await createTestSchema('event_store');
after(() => schema.drop());

/** A pool large enough that concurrent appends really run on separate connections. */
function newStore(
  options: ConstructorParameters<typeof PostgresEventStore>[1] = {},
): PostgresEventStore {
  return new PostgresEventStore({ connectionString: schema.url, max: 25 }, options);
}

describeEventStoreContract(
  'PostgresEventStore',
  async () => {
    const store = newStore();
    await store.migrate();
    return { store, cleanup: () => store.close() };
  },
  { duplicateEventIds: 'reject', purgesOutcomes: true },
);

describe('PostgresEventStore specifics', { timeout: 60_000 }, () => {
  it('keeps the follower gap-free while a transaction holding the append lock stays open', async () => {
    const store = newStore();
    await store.migrate();
    const ns = newNamespace();
    const others = 10;
    const before = await store.headPosition();
    const subscription = store.subscribeToAll({ after: before, filter: { streamPrefixes: [ns] } });
    const follower = follow(subscription, 2 + others, 20_000);

    // A transaction that appends through the same lock protocol and stays open.
    const held = new pg.Client({ connectionString: schema.url });
    await held.connect();
    try {
      await held.query('BEGIN');
      const heldResult = await store.appendInTransaction(
        held,
        `${ns}-held`,
        [newEvent('Held'), newEvent('Held')],
        'no_stream',
      );

      let settled = 0;
      const attempts = Array.from({ length: others }, (_, i) =>
        store.append(`${ns}-other-${i}`, [newEvent('Other')], 'no_stream').finally(() => settled++),
      );
      await sleep(500);
      assert.equal(settled, 0, 'other appends wait for the open transaction');
      assert.equal(follower.events.length, 0, 'nothing uncommitted or later is delivered');

      await held.query('COMMIT');
      const results = await Promise.all(attempts);
      const delivered = await follower.done;
      await subscription.close();

      assertFollowsGlobalOrder(delivered);
      assert.deepEqual(
        delivered.slice(0, 2).map((e) => e.type),
        ['Held', 'Held'],
      );
      assert.equal(delivered[1]?.position, heldResult.position);
      for (const result of results) assert.ok(result.position > heldResult.position);
      assert.deepEqual(
        new Set(delivered.slice(2).map((e) => e.position)),
        new Set(results.map((r) => r.position)),
      );
    } finally {
      await held.end();
      await store.close();
    }
  });

  it('group-commits concurrent appends and answers each one on its own', async () => {
    const store = newStore();
    await store.migrate();
    const ns = newNamespace();
    const existing = newEvent();
    await store.append(`${ns}-shared`, [existing], 'no_stream');
    try {
      const fresh = Array.from({ length: 12 }, (_, i) =>
        store.append(`${ns}-fresh-${i}`, [newEvent(), newEvent()], 'no_stream'),
      );
      const racing = Array.from({ length: 6 }, () =>
        store.append(`${ns}-shared`, [newEvent()], 0n),
      );
      const duplicates = Array.from({ length: 3 }, (_, i) =>
        store.append(`${ns}-dup-${i}`, [existing], 'no_stream'),
      );
      const freshResults = await Promise.all(fresh);
      const racingResults = await Promise.allSettled(racing);
      const duplicateResults = await Promise.allSettled(duplicates);

      for (const result of freshResults) assert.equal(result.nextExpectedRevision, 1n);
      const won = racingResults.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1, 'exactly one append at revision 0 wins');
      for (const result of racingResults) {
        if (result.status === 'rejected') {
          assert.ok(result.reason instanceof ConcurrencyError);
          assert.equal(result.reason.actual, 1n);
        }
      }
      for (const result of duplicateResults) {
        assert.equal(result.status, 'rejected');
        assert.ok(result.reason instanceof DuplicateEventError);
      }
      // Fewer transactions than appends: the appends shared commits.
      const { rows } = await schema.pool.query<{ appends: string; transactions: string }>(
        `SELECT count(DISTINCT stream_id || ':' || revision / 2) AS appends,
                count(DISTINCT xmin::text) AS transactions
           FROM events WHERE stream_id LIKE $1`,
        [`${ns}-fresh-%`],
      );
      assert.equal(rows[0]?.appends, '12');
      assert.ok(Number(rows[0]?.transactions) < 12, `${rows[0]?.transactions} transactions`);
      const shared = await store.readStream(`${ns}-shared`);
      assert.deepEqual(
        shared.map((e) => e.revision),
        [0n, 1n],
      );
    } finally {
      await store.close();
    }
  });

  it('writes a multi-stream append in one transaction, also inside a group commit', async () => {
    const store = newStore();
    await store.migrate();
    const ns = newNamespace();
    const transactionsOf = async (prefix: string): Promise<number> => {
      const { rows } = await schema.pool.query<{ transactions: string }>(
        `SELECT count(DISTINCT xmin::text) AS transactions FROM events WHERE stream_id LIKE $1`,
        [`${prefix}%`],
      );
      return Number(rows[0]?.transactions);
    };
    try {
      const alone = await store.appendToStreams([
        { streamId: `${ns}-alone-a`, expectedRevision: 'no_stream', events: [newEvent()] },
        {
          streamId: `${ns}-alone-b`,
          expectedRevision: 'no_stream',
          events: [newEvent(), newEvent()],
        },
        { streamId: `${ns}-alone-c`, expectedRevision: 'no_stream', events: [newEvent()] },
      ]);
      assert.equal(await transactionsOf(`${ns}-alone-`), 1);
      const head = await store.readAll({ after: alone.position - 4n, maxCount: 10 });
      assert.deepEqual(
        head.map((e) => e.position),
        [alone.position - 3n, alone.position - 2n, alone.position - 1n, alone.position],
        'consecutive positions',
      );

      // Busy: single appends and multi-stream appends batched together, one of them refused, and
      // one stream twice in the batch (the function's item-by-item path).
      await store.append(`${ns}-shared`, [newEvent()], 'no_stream');
      const results = await Promise.allSettled([
        ...Array.from({ length: 6 }, (_, i) =>
          store.append(`${ns}-single-${i}`, [newEvent()], 'no_stream'),
        ),
        ...Array.from({ length: 4 }, (_, i) =>
          store.appendToStreams([
            { streamId: `${ns}-multi-${i}-a`, expectedRevision: 'no_stream', events: [newEvent()] },
            { streamId: `${ns}-multi-${i}-b`, expectedRevision: 'no_stream', events: [newEvent()] },
          ]),
        ),
        store.appendToStreams([
          { streamId: `${ns}-refused-a`, expectedRevision: 'no_stream', events: [newEvent()] },
          { streamId: `${ns}-shared`, expectedRevision: 5n, events: [newEvent()] },
        ]),
        store.append(`${ns}-shared`, [newEvent()], 0n),
      ]);
      const refused = results[10];
      assert.equal(refused?.status, 'rejected');
      assert.ok(refused.reason instanceof ConcurrencyError);
      assert.equal(refused.reason.streamId, `${ns}-shared`);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 11);
      assert.deepEqual(await store.readStream(`${ns}-refused-a`), []);
      for (let i = 0; i < 4; i++) assert.equal(await transactionsOf(`${ns}-multi-${i}-`), 1);
      assert.ok(
        (await transactionsOf(`${ns}-multi-`)) < 4 || (await transactionsOf(`${ns}-single-`)) < 6,
      );
    } finally {
      await store.close();
    }
  });

  it('group-commits a batch of distinct streams in one statement, each item answered', async () => {
    const store = newStore();
    await store.migrate();
    const ns = newNamespace();
    const existing = newEvent();
    await store.append(`${ns}-old`, [existing], 'no_stream');
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        store.append(`${ns}-stale-${i}`, [newEvent()], 'no_stream'),
      ),
    );
    try {
      // One item per stream: the set-based path. Fresh streams, stale expectations and a
      // duplicate event id, all in flight together.
      const fresh = Array.from({ length: 12 }, (_, i) =>
        store.append(`${ns}-fresh-${i}`, [newEvent(), newEvent(), newEvent()], 'no_stream'),
      );
      const stale = Array.from({ length: 4 }, (_, i) =>
        store.append(`${ns}-stale-${i}`, [newEvent()], 5n),
      );
      const next = Array.from({ length: 4 }, (_, i) =>
        store.append(`${ns}-stale-${i}-next`, [newEvent()], 'any'),
      );
      const duplicate = store.append(`${ns}-dup`, [existing], 'no_stream');
      const freshResults = await Promise.all(fresh);
      const staleResults = await Promise.allSettled(stale);
      await Promise.all(next);
      const duplicateResult = await Promise.allSettled([duplicate]);

      for (const result of freshResults) assert.equal(result.nextExpectedRevision, 2n);
      for (const result of staleResults) {
        assert.ok(result.status === 'rejected' && result.reason instanceof ConcurrencyError);
      }
      const [dup] = duplicateResult;
      assert.ok(dup?.status === 'rejected' && dup.reason instanceof DuplicateEventError);
      assert.deepEqual(await store.readStream(`${ns}-dup`), []);
      // Each fresh stream holds its three events in order, at consecutive positions, and each
      // answer carries its own stream's last position.
      for (const [i, result] of freshResults.entries()) {
        const events = await store.readStream(`${ns}-fresh-${i}`);
        assert.deepEqual(
          events.map((e) => e.revision),
          [0n, 1n, 2n],
        );
        assert.equal(events.at(-1)?.position, result.position);
        assert.equal(events[2]!.position - events[0]!.position, 2n);
      }
      const { rows } = await schema.pool.query<{ appends: string; transactions: string }>(
        `SELECT count(DISTINCT stream_id) AS appends, count(DISTINCT xmin::text) AS transactions
           FROM events WHERE stream_id LIKE $1`,
        [`${ns}-fresh-%`],
      );
      assert.equal(rows[0]?.appends, '12');
      assert.ok(Number(rows[0]?.transactions) < 12, `${rows[0]?.transactions} transactions`);
    } finally {
      await store.close();
    }
  });

  it('probes keys, not whole tables, while a new store grows (appends stay flat)', async () => {
    // A fresh schema: tables never analyzed, so the statistics the append's plan is made with
    // say they are tiny. Rows read (by scans and index look-ups) per appended event must not grow
    // with the table.
    const fresh = await createTestSchema('event_store_growth');
    const store = new PostgresEventStore({ connectionString: fresh.url, max: 25 });
    let appended = 0;
    try {
      await store.migrate();
      const ns = newNamespace();
      for (let round = 0; round < 150; round += 1) {
        await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.append(
              `${ns}-${i}`,
              [newEvent()],
              round === 0 ? 'no_stream' : BigInt(round - 1),
              {
                outcome: { commandId: `${ns}-${round}-${i}`, requestHash: 'h' },
              },
            ),
          ),
        );
        appended += 8;
      }
    } finally {
      // Closing ends the store's connections, which flushes their statistics.
      await store.close();
    }
    try {
      let read = 0;
      for (let attempt = 0; attempt < 50 && read === 0; attempt += 1) {
        const { rows } = await fresh.pool.query<{ read: string | null }>(
          `SELECT (sum(coalesce(seq_tup_read, 0)) + sum(coalesce(idx_tup_read, 0)))::text AS read
             FROM pg_stat_user_tables t
             JOIN (SELECT relid, sum(idx_tup_read) AS idx_tup_read FROM pg_stat_user_indexes
                    GROUP BY relid) i USING (relid)
            WHERE t.schemaname = $1 AND t.relname IN ('events', 'events_command_outcomes')`,
          [fresh.name],
        );
        read = Number(rows[0]?.read ?? 0);
        if (read === 0) await sleep(100);
      }
      assert.ok(read > 0, 'no table statistics for the appends');
      // About one per event (its stream's head); a scan of the table per batch made it grow with
      // the table: ~450 per event at this size.
      assert.ok(read / appended < 10, `${(read / appended).toFixed(1)} rows read per event`);
    } finally {
      await fresh.drop();
    }
  });

  it('answers a batch it cannot take whole one append at a time', async () => {
    const store = newStore();
    await store.migrate();
    const ns = newNamespace();
    try {
      const repeated = newEvent();
      const appends = [
        store.append(`${ns}-a`, [newEvent()], 'no_stream'),
        store.append(`${ns}-b`, [newEvent()], 'no_stream'),
        // An event id twice inside one append cannot go into a shared transaction.
        store.append(`${ns}-c`, [repeated, repeated], 'no_stream'),
        store.append(`${ns}-d`, [newEvent()], 'no_stream'),
      ];
      const results = await Promise.allSettled(appends);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
      );
      const failed = results[2];
      assert.ok(failed?.status === 'rejected' && failed.reason instanceof DuplicateEventError);
      assert.deepEqual(await store.readStream(`${ns}-c`), []);
    } finally {
      await store.close();
    }
  });

  it('delivers every event across sequence gaps left by failed appends', async () => {
    const store = newStore();
    await store.migrate();
    const ns = newNamespace();
    const before = await store.headPosition();
    const subscription = store.subscribeToAll({ after: before, filter: { streamPrefixes: [ns] } });
    const follower = follow(subscription, 3, 10_000);
    try {
      const taken = newEvent();
      const first = await store.append(`${ns}-a`, [taken], 'no_stream');
      // The second event collides: the insert draws positions, then rolls back, leaving a gap.
      await assert.rejects(
        store.append(`${ns}-b`, [newEvent(), taken], 'no_stream'),
        DuplicateEventError,
      );
      const third = await store.append(`${ns}-c`, [newEvent(), newEvent()], 'no_stream');
      assert.ok(third.position - first.position > 2n, 'the failed append left a gap');
      const delivered = await follower.done;
      assert.deepEqual(
        delivered.map((e) => e.streamId),
        [`${ns}-a`, `${ns}-c`, `${ns}-c`],
      );
    } finally {
      await subscription.close();
      await store.close();
    }
  });

  it('falls back to polling when no notification arrives', async () => {
    const writer = newStore({ notifyChannel: 'event_store_writer_only' });
    const reader = newStore({ notifyChannel: 'event_store_nobody_sends', pollIntervalMs: 100 });
    await writer.migrate();
    const ns = newNamespace();
    const subscription = reader.subscribeToAll({
      after: await reader.headPosition(),
      filter: { streamPrefixes: [ns] },
    });
    const follower = follow(subscription, 1, 5_000);
    try {
      await sleep(150);
      await writer.append(`${ns}-a`, [newEvent()], 'no_stream');
      assert.equal((await follower.done).length, 1);
    } finally {
      await subscription.close();
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('keeps 64-bit positions exact beyond Number.MAX_SAFE_INTEGER', async () => {
    const table = `${schema.name}.big_events`;
    const store = newStore({ table });
    try {
      await store.migrate();
      await schema.pool.query(
        `ALTER SEQUENCE "${schema.name}"."big_events_position_seq" RESTART WITH 9007199254740993`,
      );
      const result = await store.append('big-1', [newEvent(), newEvent()], 'no_stream');
      assert.equal(result.position, 9007199254740994n);
      const events = await store.readAll({ after: 9007199254740992n, maxCount: 10 });
      assert.deepEqual(
        events.map((e) => e.position),
        [9007199254740993n, 9007199254740994n],
      );
      assert.equal(await store.headPosition(), 9007199254740994n);
      assert.deepEqual((await store.readAll({ after: 9007199254740993n, maxCount: 10 })).length, 1);
    } finally {
      await store.close();
    }
  });

  it('migrates idempotently, also when several processes race', async () => {
    const stores = Array.from({ length: 5 }, () => newStore({ table: 'raced_events' }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      await Promise.all(stores.map((s) => s.migrate()));
      const first = stores[0] as PostgresEventStore;
      await first.append('raced-1', [newEvent()], 'no_stream');
      assert.equal((await first.readStream('raced-1')).length, 1);
      const indexes = await schema.pool.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'raced_events' ORDER BY indexname`,
        [schema.name],
      );
      assert.deepEqual(
        indexes.rows.map((r) => r.indexname),
        [
          'raced_events_event_id_key',
          'raced_events_pkey',
          'raced_events_stream_prefix_idx',
          'raced_events_stream_revision_key',
          'raced_events_type_position_idx',
        ],
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('reports an unreachable database as EventStoreUnavailableError', async () => {
    const store = new PostgresEventStore({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      connectionTimeoutMillis: 2_000,
    });
    try {
      await assert.rejects(store.append('x-1', [newEvent()], 'any'), EventStoreUnavailableError);
      await assert.rejects(store.readStream('x-1'), EventStoreUnavailableError);
      await assert.rejects(store.headPosition(), EventStoreUnavailableError);
    } finally {
      await store.close();
    }
  });

  it('createEventStore picks PostgreSQL without an EventStoreDB connection string and migrates', async () => {
    const store = await createEventStore({
      databaseUrl: schema.url,
      postgres: { table: 'factory_events' },
    });
    try {
      assert.ok(store instanceof PostgresEventStore);
      await store.append('factory-1', [newEvent()], 'no_stream');
      assert.equal((await store.readStream('factory-1')).length, 1);
    } finally {
      await store.close();
    }
  });
});
