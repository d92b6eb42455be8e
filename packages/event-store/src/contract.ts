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
  InvalidAppendError,
  MultiStreamAppendUnsupportedError,
  OutcomeRecordedError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type RecordedEvent,
  type StreamAppend,
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
  /**
   * Whether `purgeOutcomes` removes outcomes (PostgreSQL, in memory) or leaves them to the
   * server's own retention (EventStoreDB).
   */
  readonly purgesOutcomes: boolean;
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

    void describe('appendToStreams (atomic multi-stream append)', () => {
      void it('rejects an append with no streams, a stream twice or a stream without events', async () => {
        const stream = `${ns}-a`;
        const invalid = [
          [],
          [
            { streamId: stream, expectedRevision: 'any', events: [newEvent()] },
            { streamId: stream, expectedRevision: 'any', events: [newEvent()] },
          ],
          [{ streamId: stream, expectedRevision: 'any', events: [] }],
        ] satisfies StreamAppend[][];
        for (const appends of invalid) {
          await assert.rejects(store.appendToStreams(appends), (error: unknown) => {
            const expected = store.supportsMultiStreamAppend
              ? InvalidAppendError
              : MultiStreamAppendUnsupportedError;
            assert.ok(error instanceof expected, `got ${String(error)}`);
            return true;
          });
        }
        assert.deepEqual(await store.readStream(stream), []);
      });

      void it('appends to every stream at its revision, in consecutive global positions', async (t) => {
        if (!store.supportsMultiStreamAppend) {
          await assert.rejects(
            store.appendToStreams([
              { streamId: `${ns}-a`, expectedRevision: 'any', events: [newEvent()] },
            ]),
            MultiStreamAppendUnsupportedError,
          );
          t.skip('the store says it has no atomic multi-stream append');
          return;
        }
        await store.append(`${ns}-a`, [newEvent('Before'), newEvent('Before')], 'no_stream');
        await store.append(`${ns}-c`, [newEvent('Before')], 'no_stream');
        const a = [
          newEvent('Debited', { amount: '1.00' }, { actor: { id: 'x', roles: ['r'] }, n: 1 }),
        ];
        const b = [newEvent('Credited'), newEvent('Noted')];
        const c = [newEvent('Recorded')];
        const result = await store.appendToStreams([
          { streamId: `${ns}-a`, expectedRevision: 1n, events: a },
          { streamId: `${ns}-b`, expectedRevision: 'no_stream', events: b },
          { streamId: `${ns}-c`, expectedRevision: 'any', events: c },
        ]);
        assert.deepEqual(result.streams, [
          { streamId: `${ns}-a`, nextExpectedRevision: 2n },
          { streamId: `${ns}-b`, nextExpectedRevision: 1n },
          { streamId: `${ns}-c`, nextExpectedRevision: 1n },
        ]);
        const written = [...a, ...b, ...c];
        const [firstA] = await store.readStream(`${ns}-a`, { fromRevision: 2n });
        assert.ok(firstA, 'the first stream got its event');
        // Nothing of any other append (this test's or another's) lies between them.
        const between = await store.readAll({
          after: firstA.position - 1n,
          upTo: result.position,
          maxCount: 100,
        });
        assert.deepEqual(
          between.map((e) => [e.streamId, e.eventId, e.type, e.data, e.metadata]),
          [
            [`${ns}-a`, a[0]?.eventId, 'Debited', a[0]?.data, a[0]?.metadata],
            [`${ns}-b`, b[0]?.eventId, 'Credited', {}, {}],
            [`${ns}-b`, b[1]?.eventId, 'Noted', {}, {}],
            [`${ns}-c`, c[0]?.eventId, 'Recorded', {}, {}],
          ],
        );
        assertFollowsGlobalOrder(between);
        assert.equal(between.at(-1)?.position, result.position, 'the position is the last event');
        assert.deepEqual(
          (await store.readStream(`${ns}-b`)).map((e) => e.revision),
          [0n, 1n],
        );
        assert.equal(written.length, between.length);
        // The streams chain on: a single append at the revision the multi-append reported.
        await store.append(`${ns}-b`, [newEvent()], result.streams[1]?.nextExpectedRevision ?? -1n);
      });

      void it('writes nothing anywhere when one stream is not at its expected revision', async (t) => {
        if (!store.supportsMultiStreamAppend) {
          t.skip('the store says it has no atomic multi-stream append');
          return;
        }
        await store.append(`${ns}-a`, [newEvent(), newEvent()], 'no_stream');
        await store.append(`${ns}-b`, [newEvent()], 'no_stream');
        const head = await store.readAll({ maxCount: 100, filter: { streamPrefixes: [ns] } });
        const cases: Array<{
          wrong: string;
          appends: StreamAppend[];
          expected: ExpectedRevision;
          actual: bigint | 'no_stream';
        }> = [
          // first, middle and last stream wrong; exact, no_stream and exact-on-missing
          {
            wrong: `${ns}-a`,
            expected: 0n,
            actual: 1n,
            appends: [
              { streamId: `${ns}-a`, expectedRevision: 0n, events: [newEvent()] },
              { streamId: `${ns}-b`, expectedRevision: 0n, events: [newEvent()] },
            ],
          },
          {
            wrong: `${ns}-b`,
            expected: 'no_stream',
            actual: 0n,
            appends: [
              { streamId: `${ns}-a`, expectedRevision: 1n, events: [newEvent()] },
              { streamId: `${ns}-b`, expectedRevision: 'no_stream', events: [newEvent()] },
              { streamId: `${ns}-new`, expectedRevision: 'no_stream', events: [newEvent()] },
            ],
          },
          {
            wrong: `${ns}-missing`,
            expected: 0n,
            actual: 'no_stream',
            appends: [
              { streamId: `${ns}-a`, expectedRevision: 'any', events: [newEvent()] },
              { streamId: `${ns}-new`, expectedRevision: 'no_stream', events: [newEvent()] },
              { streamId: `${ns}-missing`, expectedRevision: 0n, events: [newEvent()] },
            ],
          },
        ];
        for (const { wrong, appends, expected, actual } of cases) {
          await expectConcurrencyError(store.appendToStreams(appends), wrong, expected, actual);
        }
        assert.deepEqual(
          (await store.readAll({ maxCount: 100, filter: { streamPrefixes: [ns] } })).map(
            (e) => e.eventId,
          ),
          head.map((e) => e.eventId),
          'no stream got any event',
        );
      });

      void it(
        options.duplicateEventIds === 'reject'
          ? 'rejects an event id stored before (DuplicateEventError) and writes nothing'
          : 'treats a retried multi-stream append of the same event ids as idempotent',
        async (t) => {
          if (!store.supportsMultiStreamAppend) {
            t.skip('the store says it has no atomic multi-stream append');
            return;
          }
          const event = newEvent();
          if (options.duplicateEventIds === 'reject') {
            await store.append(`${ns}-a`, [event], 'no_stream');
            await assert.rejects(
              store.appendToStreams([
                { streamId: `${ns}-b`, expectedRevision: 'no_stream', events: [newEvent()] },
                { streamId: `${ns}-c`, expectedRevision: 'no_stream', events: [event] },
              ]),
              (error: unknown) =>
                error instanceof DuplicateEventError && error.eventId === event.eventId,
            );
            assert.deepEqual(await store.readStream(`${ns}-b`), []);
            assert.deepEqual(await store.readStream(`${ns}-c`), []);
          } else {
            const appends: StreamAppend[] = [
              { streamId: `${ns}-b`, expectedRevision: 'no_stream', events: [newEvent()] },
              { streamId: `${ns}-c`, expectedRevision: 'no_stream', events: [event] },
            ];
            await store.appendToStreams(appends);
            await store.appendToStreams(appends).catch((error: unknown) => {
              assert.ok(error instanceof ConcurrencyError, `got ${String(error)}`);
            });
            assert.equal((await store.readStream(`${ns}-c`)).length, 1);
          }
        },
      );

      void it('racing multi-stream appends at the same revisions: exactly one wins, whole', async (t) => {
        if (!store.supportsMultiStreamAppend) {
          t.skip('the store says it has no atomic multi-stream append');
          return;
        }
        await store.append(`${ns}-a`, [newEvent()], 'no_stream');
        const racers = 20;
        const outcomes = await Promise.allSettled(
          range(racers).map((r) =>
            store.appendToStreams([
              { streamId: `${ns}-a`, expectedRevision: 0n, events: [newEvent('Raced', { r })] },
              {
                streamId: `${ns}-b`,
                expectedRevision: 'no_stream',
                events: [newEvent('Raced', { r })],
              },
            ]),
          ),
        );
        const winners = outcomes.filter((o) => o.status === 'fulfilled');
        assert.equal(winners.length, 1, 'exactly one multi-stream append wins');
        for (const outcome of outcomes) {
          if (outcome.status === 'fulfilled') continue;
          const error: unknown = outcome.reason;
          assert.ok(
            error instanceof ConcurrencyError,
            `expected ConcurrencyError, got ${String(error)}`,
          );
          assert.equal(error.streamId, `${ns}-a`, 'the first stream that does not hold is named');
          assert.equal(error.actual, 1n);
        }
        const [a, b] = [await store.readStream(`${ns}-a`), await store.readStream(`${ns}-b`)];
        assert.equal(a.length, 2);
        assert.equal(b.length, 1);
        assert.equal(a[1]?.data['r'], b[0]?.data['r'], 'both streams got the same winner');
      });

      void it('concurrent multi-stream and single appends on the same streams stay whole and gap-free', async (t) => {
        if (!store.supportsMultiStreamAppend) {
          t.skip('the store says it has no atomic multi-stream append');
          return;
        }
        const [x, y] = [`${ns}-x`, `${ns}-y`];
        const pairs = 30;
        const singles = 30;
        const total = pairs * 2 + singles;
        const before = await store.headPosition();
        const subscription = store.subscribeToAll({
          after: before,
          filter: { streamPrefixes: [ns] },
        });
        const follower = follow(subscription, total, timeout - 5_000);
        /** Retries at the revisions the errors report until the append gets in. */
        const retrying = async (
          attempt: (revisions: Map<string, ExpectedRevision>) => Promise<unknown>,
        ) => {
          const revisions = new Map<string, ExpectedRevision>([
            [x, 'no_stream'],
            [y, 'no_stream'],
          ]);
          for (;;) {
            try {
              return await attempt(revisions);
            } catch (error) {
              if (!(error instanceof ConcurrencyError)) throw error;
              revisions.set(error.streamId, error.actual);
            }
          }
        };
        await Promise.all([
          ...range(pairs).map((p) =>
            retrying((revisions) =>
              store.appendToStreams([
                {
                  streamId: x,
                  expectedRevision: revisions.get(x) ?? 'any',
                  events: [newEvent('Pair', { p })],
                },
                {
                  streamId: y,
                  expectedRevision: revisions.get(y) ?? 'any',
                  events: [newEvent('Pair', { p })],
                },
              ]),
            ),
          ),
          ...range(singles).map((s) =>
            retrying((revisions) =>
              store.append(
                s % 2 === 0 ? x : y,
                [newEvent('Single', { s })],
                revisions.get(s % 2 === 0 ? x : y) ?? 'any',
              ),
            ),
          ),
          // A busy moment also carries appends that must fail: they change nothing.
          ...range(5).map(() =>
            expectConcurrencyError(
              store.appendToStreams([
                {
                  streamId: `${ns}-never`,
                  expectedRevision: 'no_stream',
                  events: [newEvent('Never')],
                },
                { streamId: `${ns}-missing`, expectedRevision: 3n, events: [newEvent('Never')] },
              ]),
              `${ns}-missing`,
              3n,
              'no_stream',
            ),
          ),
          ...range(5).map(() =>
            expectConcurrencyError(
              store.append(`${ns}-missing`, [newEvent('Never')], 2n),
              `${ns}-missing`,
              2n,
              'no_stream',
            ),
          ),
        ]);
        const delivered = await follower.done;
        await subscription.close();
        assertFollowsGlobalOrder(delivered);
        assert.equal(delivered.filter((e) => e.type === 'Never').length, 0);
        for (const stream of [x, y]) {
          const events = await store.readStream(stream);
          assert.deepEqual(
            events.map((e) => e.revision),
            range(events.length).map(BigInt),
            `${stream} revisions are contiguous`,
          );
        }
        // Each pair's two events are neighbours in the global order.
        for (let p = 0; p < pairs; p++) {
          const at = delivered.findIndex((e) => e.type === 'Pair' && e.data['p'] === p);
          const [first, second] = [delivered[at], delivered[at + 1]];
          assert.ok(first && second, `pair ${p} delivered`);
          assert.equal(second.type, 'Pair');
          assert.equal(second.data['p'], p, `pair ${p} is consecutive`);
          assert.deepEqual([first.streamId, second.streamId], [x, y]);
        }
        assert.equal(delivered.filter((e) => e.type === 'Single').length, singles);
      });
    });

    void describe('command outcomes', () => {
      const key = () => ({ commandId: `${ns}-${randomUUID()}`, requestHash: randomUUID() });
      const expectRecorded = (promise: Promise<unknown>, commandId: string) =>
        assert.rejects(promise, (error: unknown) => {
          assert.ok(error instanceof OutcomeRecordedError, `got ${String(error)}`);
          assert.equal(error.commandId, commandId);
          return true;
        });

      void it('records an accepted command with its events, and only once', async () => {
        const outcome = key();
        const { position } = await store.append(`${ns}-a`, [newEvent('Accepted')], 'no_stream', {
          outcome,
        });
        const recorded = await store.readOutcome(outcome.commandId);
        assert.deepEqual(recorded && { ...recorded, position: undefined }, {
          ...outcome,
          position: undefined,
        });
        if (recorded?.position !== undefined) assert.equal(recorded.position, position);
        await expectRecorded(
          store.append(`${ns}-b`, [newEvent('Again')], 'no_stream', { outcome }),
          outcome.commandId,
        );
        await expectRecorded(
          store.appendToStreams(
            [{ streamId: `${ns}-c`, expectedRevision: 'any', events: [newEvent()] }],
            {
              outcome,
            },
          ),
          outcome.commandId,
        );
        assert.deepEqual(await store.readStream(`${ns}-b`), []);
        assert.deepEqual(await store.readStream(`${ns}-c`), []);
      });

      void it('answers a refusal with the first outcome, and refuses an append after it', async () => {
        const outcome = key();
        const refusal = { code: 'INSUFFICIENT_FUNDS', message: 'first' };
        assert.deepEqual(await store.recordRefusal({ ...outcome, refusal }), {
          first: { ...outcome, refusal },
          recorded: true,
        });
        assert.deepEqual(
          await store.recordRefusal({ ...outcome, requestHash: 'other', refusal: { code: 'X' } }),
          { first: { ...outcome, refusal }, recorded: false },
        );
        await expectRecorded(
          store.append(`${ns}-a`, [newEvent()], 'no_stream', { outcome }),
          outcome.commandId,
        );
        assert.deepEqual(await store.readStream(`${ns}-a`), []);
        assert.deepEqual(await store.readOutcome(outcome.commandId), { ...outcome, refusal });
      });

      void it('answers a refusal after an acceptance with the acceptance', async () => {
        const outcome = key();
        const { position } = await store.appendToStreams(
          [
            { streamId: `${ns}-a`, expectedRevision: 'no_stream', events: [newEvent()] },
            {
              streamId: `${ns}-b`,
              expectedRevision: 'no_stream',
              events: [newEvent(), newEvent()],
            },
          ],
          { outcome },
        );
        const { first, recorded } = await store.recordRefusal({
          ...outcome,
          refusal: { code: 'X' },
        });
        assert.equal(recorded, false);
        assert.deepEqual({ ...first, position: undefined }, { ...outcome, position: undefined });
        // Where the store records it, the position is the whole append's: its last event's.
        if (first.position !== undefined) assert.equal(first.position, position);
        assert.equal(await store.readOutcome(key().commandId), undefined);
      });

      void it('a failed append records no outcome', async () => {
        const outcome = key();
        await store.append(`${ns}-a`, [newEvent()], 'no_stream');
        await assert.rejects(
          store.append(`${ns}-a`, [newEvent()], 'no_stream', { outcome }),
          ConcurrencyError,
        );
        assert.equal(await store.readOutcome(outcome.commandId), undefined);
      });

      void it('racing appends of one command on other streams: exactly one is recorded', async () => {
        const outcome = key();
        const results = await Promise.allSettled(
          range(8).map((i) =>
            store.append(`${ns}-race${i}`, [newEvent('Raced', { i })], 'no_stream', { outcome }),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const result of results) {
          if (result.status === 'rejected')
            assert.ok(result.reason instanceof OutcomeRecordedError);
        }
        const written = await Promise.all(range(8).map((i) => store.readStream(`${ns}-race${i}`)));
        assert.equal(written.flat().length, 1);
      });

      void it('purges outcomes recorded before a time', async () => {
        const outcome = key();
        await store.recordRefusal({ ...outcome, refusal: { code: 'X' } });
        const purged = await store.purgeOutcomes(new Date(Date.now() + 60_000));
        if (options.purgesOutcomes) {
          assert.ok(purged >= 1);
          assert.equal(await store.readOutcome(outcome.commandId), undefined);
        } else {
          assert.equal(purged, 0);
        }
      });
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
