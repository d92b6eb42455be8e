import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Account, AccountResult, Client, Problem } from './support/client.js';
import { startSystem, type System } from './support/system.js';

/** The query service's wait for a token (CONSISTENCY_WAIT_MS, its default). */
const WAIT_MS = 3000;

/**
 * X-Consistency-Token through the whole stack: a token the event store has but the views have
 * not reached waits (and answers 503 with Retry-After when the wait runs out); a token beyond the
 * store's head was never returned by a command and is refused at once with 400.
 */
describe('consistency tokens the views cannot reach', () => {
  let system: System;
  let teller: Client;
  let account: string;

  before(async () => {
    system = await startSystem('e2e_token', { embedded: true });
    teller = system.as('teller-1', ['teller']);
    const opened = await teller.ok<AccountResult>('/v1/accounts', {
      currency: 'USD',
      ownerId: 'dana',
    });
    account = opened.account.id;
    await teller.read<Account>(`/v1/accounts/${account}`, opened.position);
  });
  after(() => system?.stop());

  const readWith = async (token: string) => {
    const started = performance.now();
    const response = await teller.get<Problem>(`/v1/accounts/${account}`, {
      consistency: token,
    });
    return { ...response, ms: performance.now() - started };
  };

  for (const [name, token] of [
    ['2^63 - 1', (2n ** 63n - 1n).toString()],
    ['one past the head', 'head+1'],
  ] as const) {
    it(`refuses a token beyond the event store's head (${name}) with 400 at once`, async () => {
      const { position: head } = await system.eventStoreHead();
      const sent = token === 'head+1' ? (head + 1n).toString() : token;
      const answer = await readWith(sent);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.code, 'CONSISTENCY_TOKEN_BEYOND_HEAD');
      assert.match(answer.body.detail ?? '', /beyond the event store's head/);
      assert.equal(answer.headers.get('retry-after'), null);
      assert.ok(answer.ms < WAIT_MS * 0.8, `answered after ${Math.round(answer.ms)} ms`);
      // The head itself is a token the views reach.
      const atHead = await readWith(head.toString());
      assert.equal(atHead.status, 200, JSON.stringify(atHead.body));
    });
  }

  it('waits for a token the store has and the views have not reached, then serves it', async () => {
    const [projector] = system.stack.services.projectors;
    assert.ok(projector);
    await projector.kill('SIGKILL');
    try {
      const deposited = await teller.ok<AccountResult>(`/v1/accounts/${account}/deposits`, {
        amount: '2.50',
      });
      const behind = await readWith(deposited.position);
      assert.equal(behind.status, 503, JSON.stringify(behind.body));
      assert.equal(behind.body.code, 'CONSISTENCY_TIMEOUT');
      assert.ok(behind.headers.get('retry-after'));
      assert.ok(behind.ms >= WAIT_MS * 0.9, `gave up after ${Math.round(behind.ms)} ms`);

      await projector.restart();
      const served = await teller.get<Account>(`/v1/accounts/${account}`, {
        consistency: deposited.position,
      });
      assert.equal(served.status, 200, JSON.stringify(served.body));
      assert.equal(served.body.balance, '2.50');
    } finally {
      if (!projector.running) await projector.restart();
    }
  });
});
