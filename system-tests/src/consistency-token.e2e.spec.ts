import { strict as assert } from 'node:assert';
import { after as afterAll, before, describe, it } from 'node:test';
import { after, deposit, ok, openAccount, type Api } from './support/api.js';
import { startSystem, type System } from './support/system.js';

/** The query service's wait for a token (CONSISTENCY_WAIT_MS, its default). */
const WAIT_MS = 3000;

/**
 * X-Consistency-Token through the whole stack: a token the event store has but the views have
 * not reached waits (and answers 503 with Retry-After when the wait runs out); a token beyond the
 * store's head was never returned by a command and is refused at once with 400. Every call goes
 * through the client typed from the gateway's own OpenAPI document.
 */
describe('consistency tokens the views cannot reach', () => {
  let system: System;
  let teller: Api;
  let account: string;

  before(async () => {
    system = await startSystem('e2e_token', { embedded: true });
    teller = system.api('teller-1', ['teller']);
    const opened = await openAccount(teller, { currency: 'USD', ownerId: 'dana' });
    account = opened.account.id;
    await ok(
      teller.GET('/v1/accounts/{id}', {
        params: { path: { id: account }, header: after(opened.position) },
      }),
    );
  });
  afterAll(() => system?.stop());

  const readWith = async (token: string) => {
    const started = performance.now();
    const answer = await teller.GET('/v1/accounts/{id}', {
      params: { path: { id: account }, header: after(token) },
    });
    return { ...answer, ms: performance.now() - started };
  };

  for (const [name, token] of [
    ['2^63 - 1', (2n ** 63n - 1n).toString()],
    ['one past the head', 'head+1'],
  ] as const) {
    it(`refuses a token beyond the event store's head (${name}) with 400 at once`, async () => {
      const { position: head } = await system.eventStoreHead();
      const sent = token === 'head+1' ? (head + 1n).toString() : token;
      const answer = await readWith(sent);
      assert.equal(answer.response.status, 400, JSON.stringify(answer.error ?? answer.data));
      assert.equal(answer.error?.code, 'CONSISTENCY_TOKEN_BEYOND_HEAD');
      assert.match(answer.error.detail ?? '', /beyond the event store's head/);
      assert.equal(answer.response.headers.get('retry-after'), null);
      assert.ok(answer.ms < WAIT_MS * 0.8, `answered after ${Math.round(answer.ms)} ms`);
      // The head itself is a token the views reach.
      const atHead = await readWith(head.toString());
      assert.equal(atHead.response.status, 200, JSON.stringify(atHead.error));
    });
  }

  it('waits for a token the store has and the views have not reached, then serves it', async () => {
    const [projector] = system.stack.services.projectors;
    assert.ok(projector);
    await projector.kill('SIGKILL');
    try {
      const deposited = await deposit(teller, account, '2.50');
      const behind = await readWith(deposited.position);
      assert.equal(behind.response.status, 503, JSON.stringify(behind.error ?? behind.data));
      assert.equal(behind.error?.code, 'CONSISTENCY_TIMEOUT');
      assert.ok(behind.response.headers.get('retry-after'));
      assert.ok(behind.ms >= WAIT_MS * 0.9, `gave up after ${Math.round(behind.ms)} ms`);

      await projector.restart();
      const served = await readWith(deposited.position);
      assert.equal(served.response.status, 200, JSON.stringify(served.error));
      assert.equal(served.data?.balance, '2.50');
    } finally {
      if (!projector.running) await projector.restart();
    }
  });
});
