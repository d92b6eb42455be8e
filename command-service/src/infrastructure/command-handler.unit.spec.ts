import { strict as assert } from 'node:assert';
import { beforeEach, describe, it } from 'node:test';
import {
  decideAccount,
  encodeEventData,
  type AccountCommand,
  type AccountState,
} from '@bank/domain';
import { AppError, createLogger } from '@bank/platform';
import { Registry } from 'prom-client';
import { accountKind } from '../accounts/account-stream.js';
import { createCommandMetrics, type CommandMetrics } from '../metrics.js';
import { InMemoryEventStore } from '@bank/event-store/memory';
import type { CommandContext } from './command-context.js';
import { CommandHandler, planWrite } from './command-handler.js';

const STREAM = 'account-a';
const logger = createLogger({ service: 'test', level: 'silent' });

function contextFor(commandId: string, deadline?: Date): CommandContext {
  return {
    command: 'Test',
    commandId,
    correlationId: 'corr',
    causationId: commandId,
    actor: { id: 'admin', roles: ['admin'] },
    occurredAt: '2030-01-01T00:00:00.000Z',
    deadline,
    logger,
  };
}

const openData = {
  accountId: 'a',
  ownerId: 'o',
  currency: 'USD',
  accountType: 'checking',
  overdraftLimit: 0n,
} as const;
const open: AccountCommand = { type: 'OpenAccount', data: openData };
const deposit = (amount: bigint): AccountCommand => ({ type: 'Deposit', data: { amount } });
const decide = (command: AccountCommand) => (state: AccountState) => decideAccount(command, state);

/** What another instance would append: a deposit under its own command id. */
function foreignDeposit(store: InMemoryEventStore, commandId: string, amount: bigint): void {
  const revision = store.events.filter((e) => e.streamId === STREAM).at(-1)?.revision;
  store.appendNow(
    STREAM,
    [
      {
        eventId: crypto.randomUUID(),
        type: 'FundsDeposited',
        data: encodeEventData({ type: 'FundsDeposited', data: { accountId: 'a', amount } }),
        metadata: { commandId, schemaVersion: 1 },
      },
    ],
    revision ?? 'no_stream',
  );
}

/** A handler over an empty in-memory store, with account `a` opened. */
async function openedHandler(maxRetries: number) {
  const store = new InMemoryEventStore();
  const metrics = createCommandMetrics(new Registry());
  const handler = new CommandHandler({ store, metrics, maxRetries, random: () => 0 });
  await handler.handle(STREAM, accountKind, decide(open), contextFor('open'));
  return { store, metrics, handler };
}

describe('CommandHandler', () => {
  let store: InMemoryEventStore;
  let metrics: CommandMetrics;
  let handler: CommandHandler;

  beforeEach(async () => {
    ({ store, metrics, handler } = await openedHandler(3));
  });

  const retries = async () => (await metrics.concurrencyRetries.get()).values[0]?.value ?? 0;

  it('reloads and decides again after losing a race', async () => {
    let raced = false;
    store.beforeAppend = () => {
      if (!raced) foreignDeposit(store, 'other', 5n);
      raced = true;
    };
    const outcome = await handler.handle(
      STREAM,
      accountKind,
      decide(deposit(10n)),
      contextFor('mine'),
    );
    assert.ok(outcome.ok && outcome.state.status !== 'none');
    assert.equal(outcome.state.balance, 15n);
    assert.equal(outcome.revision, 2n);
    assert.equal(await retries(), 1);
  });

  it('counts where each load found its stream: memory, the tail, or the whole stream', async () => {
    const coldMetrics = createCommandMetrics(new Registry());
    const loads = async (): Promise<Record<string, number>> => {
      const counted: Record<string, number> = {};
      for (const { labels, value } of (await coldMetrics.streamLoads.get()).values) {
        counted[String(labels['source'])] = value;
      }
      return counted;
    };
    const cold = new CommandHandler({ store, metrics: coldMetrics, maxRetries: 3 });
    // Not cached here (another instance opened it): read from the start.
    await cold.handle(STREAM, accountKind, decide(deposit(1n)), contextFor('first'));
    // Cached by that read and the append after it: answered from memory.
    await cold.handle(STREAM, accountKind, decide(deposit(1n)), contextFor('second'));
    assert.deepEqual(await loads(), { store: 1, cache: 1 });
    // Another writer appended since: the cached stream conflicts, then only its tail is read.
    foreignDeposit(store, 'elsewhere', 1n);
    await cold.handle(STREAM, accountKind, decide(deposit(1n)), contextFor('third'));
    assert.deepEqual(await loads(), { store: 1, cache: 2, tail: 1 });
  });

  it('answers a duplicate that won the race with its first result', async () => {
    store.beforeAppend = () => {
      store.beforeAppend = undefined;
      foreignDeposit(store, 'same', 10n);
    };
    const outcome = await handler.handle(
      STREAM,
      accountKind,
      decide(deposit(10n)),
      contextFor('same'),
    );
    assert.ok(outcome.ok);
    assert.equal(outcome.replayed, true);
    assert.equal(store.events.length, 2);
  });

  it('answers with the events the command appended, and with the same ones when repeated', async () => {
    const first = await handler.handle(
      STREAM,
      accountKind,
      decide(deposit(10n)),
      contextFor('dep'),
    );
    const appended = [{ type: 'FundsDeposited', data: { accountId: 'a', amount: 10n } }];
    assert.ok(first.ok && !first.replayed);
    assert.deepEqual(first.events, appended);
    // Repeated here, and on an instance that never saw it (its cache is cold): the first events.
    const cold = new CommandHandler({ store, metrics, maxRetries: 3, random: () => 0 });
    for (const repeater of [handler, cold]) {
      const again = await repeater.handle(
        STREAM,
        accountKind,
        decide(deposit(99n)),
        contextFor('dep'),
      );
      assert.ok(again.ok && again.replayed);
      assert.deepEqual(again.events, appended);
    }
  });

  it('gives up with ABORTED after the configured retries', async () => {
    let n = 0;
    store.beforeAppend = () => foreignDeposit(store, `other-${++n}`, 1n);
    await assert.rejects(
      handler.handle(STREAM, accountKind, decide(deposit(10n)), contextFor('mine')),
      (error: unknown) => error instanceof AppError && error.category === 'conflict',
    );
    assert.equal(await retries(), 3);
  });

  it('does not start, or retry, past the deadline', async () => {
    await assert.rejects(
      handler.handle(
        STREAM,
        accountKind,
        decide(deposit(1n)),
        contextFor('late', new Date(Date.now() - 1)),
      ),
      (error: unknown) => error instanceof AppError && error.category === 'deadline',
    );
    let n = 0;
    store.beforeAppend = async () => {
      foreignDeposit(store, `other-${++n}`, 1n);
      await new Promise((resolve) => setTimeout(resolve, 30));
    };
    const slow = new CommandHandler({ store, metrics, maxRetries: 100 });
    await assert.rejects(
      slow.handle(
        STREAM,
        accountKind,
        decide(deposit(1n)),
        contextFor('soon', new Date(Date.now() + 80)),
      ),
      (error: unknown) => error instanceof AppError && error.category === 'deadline',
    );
    assert.ok(n < 10, `stopped after ${n} attempts`);
  });

  it('decides on the cached stream without reading it, and the append checks it', async () => {
    const reads = countReads(store);
    const outcome = await handler.handle(
      STREAM,
      accountKind,
      decide(deposit(10n)),
      contextFor('cached'),
    );
    assert.ok(outcome.ok && outcome.state.status !== 'none');
    assert.equal(outcome.state.balance, 10n);
    assert.equal(reads(), 0);

    // Another instance deposits: the cache is now stale, the append conflicts, the retry reads.
    foreignDeposit(store, 'elsewhere', 5n);
    const next = await handler.handle(
      STREAM,
      accountKind,
      decide(deposit(1n)),
      contextFor('after-foreign'),
    );
    assert.ok(next.ok && next.state.status !== 'none');
    assert.equal(next.state.balance, 16n);
    assert.equal(reads(), 1);
  });

  it('creates a stream without reading it first, and finds a stream it has not cached', async () => {
    const fresh = new CommandHandler({ store, metrics, maxRetries: 3, random: () => 0 });
    const reads = countReads(store);
    const other = 'account-b';
    const opened = await fresh.handle(
      other,
      accountKind,
      decide({ type: 'OpenAccount', data: { ...openData, accountId: 'b' } }),
      contextFor('open-b'),
    );
    assert.ok(opened.ok);
    assert.equal(reads(), 0);
    // Cached from its own append: the next command on it reads nothing either.
    assert.ok((await fresh.handle(other, accountKind, decide(deposit(3n)), contextFor('d'))).ok);
    assert.equal(reads(), 0);

    // STREAM exists (opened by the other handler) but this one never saw it: taken as empty,
    // the deposit is refused (no account), so it reads the stream and decides again.
    const deposited = await fresh.handle(
      STREAM,
      accountKind,
      decide(deposit(4n)),
      contextFor('d2'),
    );
    assert.ok(deposited.ok && deposited.state.status !== 'none');
    assert.equal(deposited.state.balance, 4n);
    assert.equal(reads(), 1);
    // Opening it again: the append at "no stream" conflicts and the retry finds the account.
    const again = await new CommandHandler({
      store,
      metrics,
      maxRetries: 3,
      random: () => 0,
    }).handle(STREAM, accountKind, decide(open), contextFor('open'));
    assert.ok(again.ok && again.replayed);
  });

  it('never refuses on a stale cache: a refusal is decided again on a fresh read', async () => {
    // Another instance deposited 100; this one still caches a balance of 0.
    foreignDeposit(store, 'elsewhere', 100n);
    const reads = countReads(store);
    const outcome = await handler.handle(
      STREAM,
      accountKind,
      decide({ type: 'Withdraw', data: { amount: 60n } }),
      contextFor('withdraw'),
    );
    assert.ok(outcome.ok && outcome.state.status !== 'none');
    assert.equal(outcome.state.balance, 40n);
    assert.equal(reads(), 1);
    // A real refusal still reads once and refuses.
    const refused = await handler.handle(
      STREAM,
      accountKind,
      decide({ type: 'Withdraw', data: { amount: 60n } }),
      contextFor('withdraw-again'),
    );
    assert.equal(refused.ok, false);
    assert.equal(reads(), 2);
  });

  it('asks the store again before a guard refuses on the cached state', async () => {
    foreignDeposit(store, 'elsewhere', 7n);
    const outcome = await handler.handle(
      STREAM,
      accountKind,
      decide(deposit(1n)),
      contextFor('guarded'),
      {
        guard: (state) => {
          if (state.status === 'none' || state.balance < 7n) throw new Error('not yet');
        },
      },
    );
    assert.ok(outcome.ok && outcome.state.status !== 'none');
    assert.equal(outcome.state.balance, 8n);
  });

  it('appends nothing for a rejection and stamps metadata on what it appends', async () => {
    const rejected = await handler.handle(
      STREAM,
      accountKind,
      decide({ type: 'Withdraw', data: { amount: 1n } }),
      contextFor('w'),
    );
    assert.deepEqual(rejected, {
      ok: false,
      rejection: { code: 'INSUFFICIENT_FUNDS', message: 'available balance is too low' },
    });
    assert.equal(store.events.length, 1);
    const first = store.events[0];
    assert.equal(first?.metadata['commandId'], 'open');
    assert.equal(first?.metadata['eventId'], first?.eventId);
    assert.equal(first?.metadata['occurredAt'], '2030-01-01T00:00:00.000Z');
    assert.equal(first?.metadata['schemaVersion'], 1);
  });
});

describe('CommandHandler.handleAcross', () => {
  const OTHER = 'account-b';
  let store: InMemoryEventStore;
  let metrics: CommandMetrics;
  let handler: CommandHandler;

  beforeEach(async () => {
    ({ store, metrics, handler } = await openedHandler(2));
    await handler.handle(
      OTHER,
      accountKind,
      decide({ type: 'OpenAccount', data: { ...openData, accountId: 'b' } }),
      contextFor('open-b'),
    );
    await handler.handle(STREAM, accountKind, decide(deposit(10n)), contextFor('fund'));
  });

  /** Moves `amount` from a to b in one append; a refusal only from a fresh view. */
  const move = (amount: bigint, commandId: string) =>
    handler.handleAcross([OTHER, STREAM], contextFor(commandId), async (view) => {
      const from = await view.load(STREAM, accountKind);
      const to = await view.load(OTHER, accountKind);
      const withdrawn = decideAccount({ type: 'Withdraw', data: { amount } }, from.state);
      if (!withdrawn.ok) {
        if (!from.verified) return { kind: 'recheck' } as const;
        return { kind: 'answer', result: withdrawn.rejection.code } as const;
      }
      const deposited = decideAccount(deposit(amount), to.state);
      assert.ok(deposited.ok);
      const ids = { commandId, causationId: commandId };
      return {
        kind: 'append',
        writes: [
          planWrite(
            STREAM,
            accountKind,
            from,
            withdrawn.events.map((event) => ({ event, ...ids })),
          ),
          planWrite(
            OTHER,
            accountKind,
            to,
            deposited.events.map((event) => ({ event, ...ids })),
          ),
        ],
        result: (position: bigint) => `moved at ${position}`,
      } as const;
    });
  const balances = async () =>
    Promise.all(
      [STREAM, OTHER].map(async (stream) => {
        const state = (await handler.read(stream, accountKind)).state;
        return state.status === 'none' ? undefined : state.balance;
      }),
    );

  it('appends to every stream at once, and a conflict on one reloads all and decides again', async () => {
    let raced = false;
    store.beforeAppend = () => {
      if (!raced) foreignDeposit(store, 'elsewhere', 5n);
      raced = true;
    };
    assert.equal(await move(8n, 'move-1'), `moved at ${store.events.length}`);
    assert.deepEqual(await balances(), [7n, 8n]);
    assert.equal((await metrics.concurrencyRetries.get()).values[0]?.value, 1);
    const mine = store.events.filter((e) => e.metadata['commandId'] === 'move-1');
    assert.deepEqual(
      mine.map((e) => [e.streamId, e.position]),
      [
        [STREAM, BigInt(store.events.length - 1)],
        [OTHER, BigInt(store.events.length)],
      ],
    );
  });

  it('refuses only on a fresh view: a stale cache is read again first', async () => {
    foreignDeposit(store, 'elsewhere', 5n); // the cache still says 10
    assert.equal(await move(15n, 'move-2'), `moved at ${store.events.length}`);
    assert.deepEqual(await balances(), [0n, 15n]);
    const head = store.events.length;
    assert.equal(await move(1n, 'move-3'), 'INSUFFICIENT_FUNDS');
    assert.equal(store.events.length, head, 'a refusal appends nothing');
  });

  it('gives up with CONCURRENCY_CONFLICT after the retries, having written nothing', async () => {
    let n = 0;
    store.beforeAppend = (stream) => {
      if (stream === OTHER) foreignDeposit(store, `other-${++n}`, 1n);
    };
    const before = store.events.filter((e) => e.streamId === OTHER).length;
    await assert.rejects(
      move(1n, 'move-4'),
      (error: unknown) => error instanceof AppError && error.code === 'CONCURRENCY_CONFLICT',
    );
    assert.equal(store.events.filter((e) => e.metadata['commandId'] === 'move-4').length, 0);
    assert.equal(store.events.filter((e) => e.streamId === OTHER).length, before);
  });
});

/** Counts the store's stream reads from now on. */
function countReads(store: InMemoryEventStore): () => number {
  let reads = 0;
  const readStream = store.readStream.bind(store);
  store.readStream = (...args: Parameters<typeof readStream>) => {
    reads += 1;
    return readStream(...args);
  };
  return () => reads;
}
