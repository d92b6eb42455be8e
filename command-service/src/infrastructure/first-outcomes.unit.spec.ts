import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { OutcomeRecordedError } from '@bank/event-store';
import { InMemoryEventStore } from '@bank/event-store/memory';
import { AppError, type UnaryContext } from '@bank/platform';
import { FirstOutcomes } from './first-outcomes.js';

interface Request {
  readonly context: { commandId: string; requestHash: string; actor: null };
}
interface Reply {
  readonly replayed: boolean;
  readonly position: string;
}

const call = {} as UnaryContext;
const request = (commandId: string, requestHash = 'aa'): Request => ({
  context: { commandId, requestHash, actor: null },
});
const refused = () => new AppError('business', 'INSUFFICIENT_FUNDS', 'not enough');
const codeOf = (error: unknown) => (error instanceof AppError ? error.code : String(error));

describe('FirstOutcomes', () => {
  it('records a refusal and answers a repeat with it, replayed, whatever the state says now', async () => {
    const store = new InMemoryEventStore();
    const outcomes = new FirstOutcomes(store);
    let funded = false;
    // As the command handler does: an acceptance is appended with the command's outcome.
    const withdraw = outcomes.of<Request, Reply>(async ({ context }) => {
      if (!funded) throw refused();
      const { position } = await store.append(
        'account-w',
        [{ eventId: crypto.randomUUID(), type: 'FundsWithdrawn', data: {}, metadata: {} }],
        'any',
        { outcome: { commandId: context.commandId, requestHash: context.requestHash } },
      );
      return { replayed: false, position: position.toString() };
    });
    await assert.rejects(withdraw(request('c1'), call), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'INSUFFICIENT_FUNDS');
      assert.equal(error.details.replayed, undefined);
      return true;
    });
    funded = true;
    await assert.rejects(withdraw(request('c1'), call), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'INSUFFICIENT_FUNDS');
      assert.equal(error.message, 'not enough');
      assert.equal(error.details.replayed, true);
      return true;
    });
    await assert.rejects(withdraw(request('c1', 'bb'), call), (error: unknown) => {
      assert.equal(codeOf(error), 'IDEMPOTENCY_KEY_REUSED');
      return true;
    });
    assert.deepEqual(await store.readStream('account-w'), []);
  });

  it('answers a repeat while the first runs with IDEMPOTENCY_IN_FLIGHT, another body with 422', async () => {
    const outcomes = new FirstOutcomes(new InMemoryEventStore());
    let release: () => void = () => undefined;
    const slow = outcomes.of<Request, Reply>(
      () =>
        new Promise((resolve) => {
          release = () => resolve({ replayed: false, position: '1' });
        }),
    );
    const first = slow(request('c2'), call);
    await assert.rejects(slow(request('c2'), call), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'IDEMPOTENCY_IN_FLIGHT');
      assert.equal(error.category, 'conflict');
      assert.equal(error.details.retryAfterMs, 1000);
      return true;
    });
    await assert.rejects(slow(request('c2', 'bb'), call), (error: unknown) => {
      assert.equal(codeOf(error), 'IDEMPOTENCY_KEY_REUSED');
      return true;
    });
    release();
    assert.deepEqual(await first, { replayed: false, position: '1' });
  });

  it('answers with a refusal another instance recorded first, when its own append is refused', async () => {
    const store = new InMemoryEventStore();
    const outcomes = new FirstOutcomes(store);
    await store.recordRefusal({
      commandId: 'c3',
      requestHash: 'aa',
      refusal: { category: 'business', code: 'ACCOUNT_FROZEN', message: 'frozen' },
    });
    const deposit = outcomes.of<Request, Reply>(() =>
      Promise.reject(new OutcomeRecordedError('c3')),
    );
    await assert.rejects(deposit(request('c3'), call), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'ACCOUNT_FROZEN');
      assert.equal(error.details.replayed, true);
      return true;
    });
  });

  it('runs again after another instance recorded the acceptance, and answers its token', async () => {
    const store = new InMemoryEventStore();
    const outcomes = new FirstOutcomes(store);
    const { position } = await store.append(
      'account-x',
      [{ eventId: crypto.randomUUID(), type: 'FundsDeposited', data: {}, metadata: {} }],
      'no_stream',
      { outcome: { commandId: 'c4', requestHash: 'aa' } },
    );
    let runs = 0;
    // The first run decided on a stale view and its append was refused; the second finds the
    // command on the stream, as the command handler does, with the stream's later token.
    const deposit = outcomes.of<Request, Reply>(() => {
      runs += 1;
      if (runs === 1) return Promise.reject(new OutcomeRecordedError('c4'));
      return Promise.resolve({ replayed: true, position: '99' });
    });
    assert.deepEqual(await deposit(request('c4'), call), {
      replayed: true,
      position: position.toString(),
    });
    assert.equal(runs, 2);
  });

  it('leaves commands without a request hash to the command id alone', async () => {
    const store = new InMemoryEventStore();
    const outcomes = new FirstOutcomes(store);
    const refuse = outcomes.of<Request, Reply>(() => Promise.reject(refused()));
    await assert.rejects(refuse(request('c5', ''), call), /not enough/);
    assert.equal(await store.readOutcome('c5'), undefined);
  });
});
