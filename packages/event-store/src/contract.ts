/**
 * The event store contract: one node:test suite that every adapter must pass.
 * Imported through `@bank/event-store/contract` only, so node:test never reaches production code.
 *
 * The suite runs against a store that may hold other data (a shared EventStoreDB, other test
 * files): each test works in its own stream-id namespace and filters reads by it.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ConcurrencyError,
  DuplicateEventError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type RecordedEvent,
  type Subscription,
} from './port.js';

export interface ContractSubject {
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
}

export interface ContractOptions {
  /**
   * What appending an already-stored event id does.
   * - `reject` (PostgreSQL): event ids are unique across the store; DuplicateEventError.
   * - `idempotent` (EventStoreDB): the server treats a repeated append of the same event
   *   ids at the same expected revision as a retry of a write that already succeeded; it
   *   answers success and writes nothing. It does not enforce event-id uniqueness across
   *   streams, so the suite checks only the same-stream retry.
   */
  readonly duplicateEventIds: 'reject' | 'idempotent';
  /** Per-test timeout; default 60 s. */
  readonly timeoutMs?: number;
}

/** A fresh event with a random id. */
export function newEvent(
  type = 'ContractTested',
  data: JsonObject = {},
  metadata: JsonObject = {},
): EventToAppend {
  return { eventId: randomUUID(), type, data, metadata };
}

/** A stream-id prefix no other test uses. */
export function newNamespace(): string {
  return `contract${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

export interface Follower {
  /** Events received so far, in delivery order. */
  readonly events: RecordedEvent[];
  /** Resolves once `count` events arrived; rejects after `timeoutMs` with what did. */
  readonly done: Promise<RecordedEvent[]>;
}

/** Iterates a subscription in the background until it has delivered `count` events. */
export function follow(subscription: Subscription, count: number, timeoutMs = 30_000): Follower {
  const events: RecordedEvent[] = [];
  const done = (async () => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void subscription.close();
    }, timeoutMs);
    try {
      if (count > 0) {
        for await (const event of subscription) {
          events.push(event);
          if (events.length >= count) break;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    if (events.length < count) {
      throw new Error(
        `subscription delivered ${events.length} of ${count} events` +
          (timedOut ? ` within ${timeoutMs} ms` : ' before it ended'),
      );
    }
    return events;
  })();
  // A test that fails before awaiting `done` must not also report an unhandled rejection.
  done.catch(() => undefined);
  return { events, done };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Asserts strictly increasing positions and no event delivered twice. */
export function assertFollowsGlobalOrder(events: readonly RecordedEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    const previous = events[i - 1] as RecordedEvent;
    const current = events[i] as RecordedEvent;
    assert.ok(
      current.position > previous.position,
      `position ${current.position} after ${previous.position} at index ${i}`,
    );
  }
  assert.equal(
    new Set(events.map((e) => e.eventId)).size,
    events.length,
    'an event was delivered twice',
  );
}

async function nextWithin<T>(iterator: AsyncIterator<T>, ms: number): Promise<IteratorResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([iterator.next(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

async function expectConcurrencyError(
  promise: Promise<unknown>,
  streamId: string,
  expected: ExpectedRevision,
  actual: bigint | 'no_stream',
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ConcurrencyError, `expected ConcurrencyError, got ${String(error)}`);
    assert.equal(error.type, 'ConcurrencyError');
    assert.equal(error.streamId, streamId);
    assert.equal(error.expected, expected);
    assert.equal(error.actual, actual);
    return true;
  });
}

export function describeEventStoreContract(
  name: string,
  factory: () => Promise<ContractSubject>,
  options: ContractOptions,
): void {
  const timeout = options.timeoutMs ?? 60_000;

  void describe(`${name}: event store contract`, { timeout }, () => {
    let subject: ContractSubject;
    let store: EventStore;
    let ns: string;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
      ns = newNamespace();
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    void describe('append', () => {
      void it('appends to a new stream with no_stream and reads back what it wrote', async () => {
        const stream = `${ns}-a`;
        const first = newEvent(
          'Opened',
          { owner: 'ann', amount: '12.34' },
          { correlationId: 'c-1' },
        );
        const second = newEvent('Deposited', { amount: '1.00', nested: { list: [1, 2] } });
        const result = await store.append(stream, [first, second], 'no_stream');
        assert.equal(result.nextExpectedRevision, 1n);

        const events = await store.readStream(stream);
        assert.deepEqual(
          events.map((e) => [e.streamId, e.revision, e.eventId, e.type, e.data, e.metadata]),
          [
            [stream, 0n, first.eventId, 'Opened', first.data, first.metadata],
            [stream, 1n, second.eventId, 'Deposited', second.data, second.metadata],
          ],
        );
        const [a, b] = events as [RecordedEvent, RecordedEvent];
        assert.equal(typeof a.position, 'bigint');
        assert.ok(a.position < b.position, 'positions follow revisions within an append');
        assert.ok(a.recordedAt instanceof Date && !Number.isNaN(a.recordedAt.getTime()));
        const all = await store.readAll({ maxCount: 10, filter: { streamPrefixes: [ns] } });
        assert.equal(
          all.at(-1)?.position,
          result.position,
          'result position is the last event position',
        );
      });

      void it('rejects no_stream when the stream exists', async () => {
        const stream = `${ns}-a`;
        await store.append(stream, [newEvent()], 'no_stream');
        await expectConcurrencyError(
          store.append(stream, [newEvent()], 'no_stream'),
          stream,
          'no_stream',
          0n,
        );
        assert.equal((await store.readStream(stream)).length, 1);
      });

      void it('rejects a wrong expected revision with a typed ConcurrencyError', async () => {
        const stream = `${ns}-a`;
        await store.append(stream, [newEvent(), newEvent()], 'no_stream');
        await expectConcurrencyError(store.append(stream, [newEvent()], 0n), stream, 0n, 1n);
        await expectConcurrencyError(store.append(stream, [newEvent()], 5n), stream, 5n, 1n);
        const missing = `${ns}-missing`;
        await expectConcurrencyError(
          store.append(missing, [newEvent()], 0n),
          missing,
          0n,
          'no_stream',
        );
        assert.equal((await store.readStream(stream)).length, 2);
        assert.deepEqual(await store.readStream(missing), []);
      });

      void it('appends with any to new and existing streams', async () => {
        const stream = `${ns}-a`;
        const first = await store.append(stream, [newEvent()], 'any');
        assert.equal(first.nextExpectedRevision, 0n);
        const second = await store.append(stream, [newEvent(), newEvent()], 'any');
        assert.equal(second.nextExpectedRevision, 2n);
        assert.ok(second.position > first.position);
        assert.deepEqual(
          (await store.readStream(stream)).map((e) => e.revision),
          [0n, 1n, 2n],
        );
      });

      void it('appends at the exact expected revision and chains on nextExpectedRevision', async () => {
        const stream = `${ns}-a`;
        let expected: ExpectedRevision = 'no_stream';
        for (let i = 0; i < 5; i++) {
          const result = await store.append(stream, [newEvent('Step', { i })], expected);
          assert.equal(result.nextExpectedRevision, BigInt(i));
          expected = result.nextExpectedRevision;
        }
        assert.deepEqual(
          (await store.readStream(stream)).map((e) => e.data['i']),
          [0, 1, 2, 3, 4],
        );
      });

      void it(
        options.duplicateEventIds === 'reject'
          ? 'rejects an event id that was appended before (DuplicateEventError) and writes nothing'
          : 'treats a retried append of the same event ids as idempotent',
        async () => {
          const stream = `${ns}-a`;
          const event = newEvent();
          await store.append(stream, [event], 'no_stream');
          if (options.duplicateEventIds === 'reject') {
            const other = `${ns}-b`;
            const rejectsDuplicate = (error: unknown): boolean => {
              assert.ok(
                error instanceof DuplicateEventError,
                `expected DuplicateEventError, got ${String(error)}`,
              );
              assert.equal(error.type, 'DuplicateEventError');
              assert.equal(error.eventId, event.eventId);
              return true;
            };
            await assert.rejects(store.append(other, [newEvent(), event], 'any'), rejectsDuplicate);
            await assert.rejects(store.append(stream, [event], 0n), rejectsDuplicate);
            assert.deepEqual(await store.readStream(other), [], 'the failed append wrote nothing');
          } else {
            await store.append(stream, [event], 'no_stream');
          }
          assert.equal((await store.readStream(stream)).length, 1);
        },
      );
    });

    void describe('readStream', () => {
      void it('reads in revision order from a revision, up to maxCount', async () => {
        const stream = `${ns}-a`;
        await store.append(
          stream,
          range(3).map((i) => newEvent('Step', { i })),
          'no_stream',
        );
        await store.append(`${ns}-b`, [newEvent()], 'no_stream');
        await store.append(
          stream,
          range(3).map((i) => newEvent('Step', { i: i + 3 })),
          2n,
        );
        const all = await store.readStream(stream);
        assert.deepEqual(
          all.map((e) => e.revision),
          [0n, 1n, 2n, 3n, 4n, 5n],
        );
        assert.deepEqual(
          all.map((e) => e.data['i']),
          [0, 1, 2, 3, 4, 5],
        );
        assertFollowsGlobalOrder(all);
        assert.deepEqual(
          (await store.readStream(stream, { fromRevision: 4n })).map((e) => e.revision),
          [4n, 5n],
        );
        assert.deepEqual(
          (await store.readStream(stream, { fromRevision: 1n, maxCount: 2 })).map(
            (e) => e.revision,
          ),
          [1n, 2n],
        );
        assert.deepEqual(await store.readStream(stream, { fromRevision: 6n }), []);
      });

      void it('reads a stream that does not exist as empty', async () => {
        assert.deepEqual(await store.readStream(`${ns}-nothing`), []);
      });
    });

    void describe('readAll', () => {
      void it('reads the global order with after, upTo and maxCount', async () => {
        const appended: string[] = [];
        for (const [stream, count] of [
          ['a', 2],
          ['b', 1],
          ['a', 1],
          ['c', 3],
        ] as const) {
          const events = range(count).map(() => newEvent());
          appended.push(...events.map((e) => e.eventId));
          await store.append(`${ns}-${stream}`, events, 'any');
        }
        const filter = { streamPrefixes: [ns] };
        const all = await store.readAll({ maxCount: 100, filter });
        assert.deepEqual(
          all.map((e) => e.eventId),
          appended,
        );
        assertFollowsGlobalOrder(all);

        const at = (i: number): RecordedEvent => all[i] as RecordedEvent;
        const firstPage = await store.readAll({ maxCount: 3, filter });
        assert.deepEqual(
          firstPage.map((e) => e.eventId),
          appended.slice(0, 3),
        );
        const afterThird = await store.readAll({ after: at(2).position, maxCount: 100, filter });
        assert.deepEqual(
          afterThird.map((e) => e.eventId),
          appended.slice(3),
        );
        const window = await store.readAll({
          after: at(1).position,
          upTo: at(4).position,
          maxCount: 100,
          filter,
        });
        assert.deepEqual(
          window.map((e) => e.eventId),
          appended.slice(2, 5),
        );
        const capped = await store.readAll({
          after: at(1).position,
          upTo: at(5).position,
          maxCount: 2,
          filter,
        });
        assert.deepEqual(
          capped.map((e) => e.eventId),
          appended.slice(2, 4),
        );
        assert.deepEqual(await store.readAll({ after: at(6).position, maxCount: 100, filter }), []);
      });

      void it('filters by stream prefix and by event type', async () => {
        await store.append(
          `${ns}-account-1`,
          [newEvent('Opened'), newEvent('Deposited')],
          'no_stream',
        );
        await store.append(`${ns}-transfer-1`, [newEvent('Requested')], 'no_stream');
        await store.append(`${ns}-account-2`, [newEvent('Opened')], 'no_stream');
        await store.append(`${ns}-account_3`, [newEvent('Opened')], 'no_stream');

        const accounts = await store.readAll({
          maxCount: 100,
          filter: { streamPrefixes: [`${ns}-account-`] },
        });
        assert.deepEqual(
          accounts.map((e) => `${e.streamId.slice(ns.length)}/${e.type}`),
          ['-account-1/Opened', '-account-1/Deposited', '-account-2/Opened'],
          '_ in a prefix is literal, not a wildcard',
        );
        const two = await store.readAll({
          maxCount: 100,
          filter: { streamPrefixes: [`${ns}-transfer-`, `${ns}-account-2`] },
        });
        assert.deepEqual(
          two.map((e) => e.type),
          ['Requested', 'Opened'],
        );
        const opened = await store.readAll({
          maxCount: 100,
          filter: { streamPrefixes: [ns], eventTypes: ['Opened', 'Requested'] },
        });
        assert.deepEqual(
          opened.map((e) => e.type),
          ['Opened', 'Requested', 'Opened', 'Opened'],
        );
        assertFollowsGlobalOrder(opened);
      });

      void it('reports the head position', async () => {
        const first = await store.append(`${ns}-a`, [newEvent()], 'no_stream');
        const headAfterFirst = await store.headPosition();
        assert.ok(headAfterFirst >= first.position);
        const second = await store.append(`${ns}-a`, [newEvent(), newEvent()], 0n);
        const headAfterSecond = await store.headPosition();
        assert.ok(headAfterSecond >= second.position);
        assert.ok(headAfterSecond > headAfterFirst);
      });
    });

    void describe('subscribeToAll', () => {
      void it('delivers existing events, then live ones, and ends on close', async () => {
        const before = await store.headPosition();
        const stream = `${ns}-a`;
        await store.append(stream, [newEvent('Existing'), newEvent('Existing')], 'no_stream');
        const subscription = store.subscribeToAll({
          after: before,
          filter: { streamPrefixes: [ns] },
        });
        const iterator = subscription[Symbol.asyncIterator]();
        const existing = [await nextWithin(iterator, 10_000), await nextWithin(iterator, 10_000)];
        assert.deepEqual(
          existing.map((r) => (r.done ? 'done' : r.value.type)),
          ['Existing', 'Existing'],
        );

        const live = newEvent('Live');
        await store.append(stream, [live], 1n);
        const third = await nextWithin(iterator, 10_000);
        assert.equal(third.done ? undefined : third.value.eventId, live.eventId);

        await subscription.close();
        const end = await nextWithin(iterator, 10_000);
        assert.equal(end.done, true, 'a closed subscription ends its iteration');
      });

      void it('starts after a position and applies its filter', async () => {
        const first = await store.append(`${ns}-account-1`, [newEvent('Opened')], 'no_stream');
        await store.append(`${ns}-transfer-1`, [newEvent('Requested')], 'no_stream');
        await store.append(`${ns}-account-1`, [newEvent('Deposited'), newEvent('Withdrawn')], 0n);
        await store.append(`${ns}-account-2`, [newEvent('Opened')], 'no_stream');

        const byPrefix = store.subscribeToAll({
          after: first.position,
          filter: { streamPrefixes: [`${ns}-account-`] },
        });
        const prefixed = await follow(byPrefix, 3, 10_000).done;
        await byPrefix.close();
        assert.deepEqual(
          prefixed.map((e) => e.type),
          ['Deposited', 'Withdrawn', 'Opened'],
        );

        const byType = store.subscribeToAll({
          after: first.position - 1n,
          filter: { streamPrefixes: [ns], eventTypes: ['Opened'] },
        });
        const opened = await follow(byType, 2, 10_000).done;
        await byType.close();
        assert.deepEqual(
          opened.map((e) => e.streamId),
          [`${ns}-account-1`, `${ns}-account-2`],
        );
      });
    });

    void describe('concurrency', () => {
      void it('concurrent writers: a follower sees every event exactly once, in position order', async () => {
        const writers = 20;
        const appendsPerWriter = 25;
        const batchSize = (i: number): number => (i % 3 === 0 ? 2 : 1);
        const total = writers * range(appendsPerWriter).reduce((sum, i) => sum + batchSize(i), 0);

        const before = await store.headPosition();
        const subscription = store.subscribeToAll({
          after: before,
          filter: { streamPrefixes: [ns] },
        });
        const follower = follow(subscription, total, timeout - 5_000);
        const written = new Set<string>();

        await Promise.all(
          range(writers).map(async (w) => {
            let own: ExpectedRevision = 'no_stream';
            for (let i = 0; i < appendsPerWriter; i++) {
              const batch = range(batchSize(i)).map(() => newEvent('Concurrent', { w, i }));
              for (const event of batch) written.add(event.eventId);
              if (i % 2 === 0) {
                // A stream of its own, at the exact revision.
                own = (await store.append(`${ns}-own-${w}`, batch, own)).nextExpectedRevision;
              } else {
                // Streams every writer shares.
                await store.append(`${ns}-shared-${i % 3}`, batch, 'any');
              }
            }
          }),
        );
        const delivered = await follower.done;
        await subscription.close();

        assert.equal(delivered.length, total);
        assertFollowsGlobalOrder(delivered);
        assert.deepEqual(new Set(delivered.map((e) => e.eventId)), written);
        const reread = await store.readAll({
          after: before,
          maxCount: total + 10,
          filter: { streamPrefixes: [ns] },
        });
        assert.deepEqual(
          reread.map((e) => e.eventId),
          delivered.map((e) => e.eventId),
          'the follower saw the order a later read sees',
        );
        for (let w = 0; w < writers; w++) {
          const own = await store.readStream(`${ns}-own-${w}`);
          assert.deepEqual(
            own.map((e) => e.revision),
            range(own.length).map(BigInt),
          );
        }
      });

      void it('racing appends to one stream at the same revision: exactly one wins', async () => {
        const stream = `${ns}-race`;
        await store.append(stream, [newEvent()], 'no_stream');
        const racers = 50;
        const outcomes = await Promise.allSettled(
          range(racers).map(() => store.append(stream, [newEvent('Raced')], 0n)),
        );
        const winners = outcomes.filter((o) => o.status === 'fulfilled');
        const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        assert.equal(winners.length, 1, 'exactly one append wins');
        for (const loser of losers) {
          const error: unknown = loser.reason;
          assert.ok(
            error instanceof ConcurrencyError,
            `expected ConcurrencyError, got ${String(error)}`,
          );
          assert.equal(error.streamId, stream);
          assert.equal(error.actual, 1n);
        }

        // The losers retry at the revision the error reported until they get in.
        await Promise.all(
          losers.map(async () => {
            let expected: ExpectedRevision = 1n;
            for (;;) {
              try {
                await store.append(stream, [newEvent('Retried')], expected);
                return;
              } catch (error) {
                if (!(error instanceof ConcurrencyError)) throw error;
                expected = error.actual;
              }
            }
          }),
        );
        const events = await store.readStream(stream);
        assert.deepEqual(
          events.map((e) => e.revision),
          range(racers + 1).map(BigInt),
          'revisions are contiguous',
        );
        assertFollowsGlobalOrder(events);
      });
    });
  });
}
