import { strict as assert } from 'node:assert';
import { after as afterAll, before, describe, it } from 'node:test';
import { after, command, deposit, ok, openAccount, type Api, type Schemas } from './support/api.js';
import { startSystem, type System } from './support/system.js';

/**
 * Holds can be looked up: an account's list (paginated, filtered) and one hold, read-your-writes,
 * through the client typed from the gateway's own OpenAPI document.
 */
describe('holds are visible', () => {
  let system: System;
  let teller: Api;
  let owner: Api;
  let account: string;
  let partial: Schemas['HoldResult'];
  let open: Schemas['HoldResult'];
  let captured: Schemas['HoldCaptureResult'];

  const openForHana = async (): Promise<string> =>
    (await openAccount(teller, { currency: 'USD', ownerId: 'hana' })).account.id;
  const placeHold = (id: string, amount: string, expiresAt?: string) =>
    ok(
      teller.POST('/v1/accounts/{id}/holds', {
        params: { path: { id }, header: command() },
        body: expiresAt === undefined ? { amount } : { amount, expiresAt },
      }),
      200,
    );
  const capture = (accountId: string, holdId: string, amount?: string) =>
    ok(
      teller.POST('/v1/accounts/{id}/holds/{holdId}/capture', {
        params: { path: { id: accountId, holdId }, header: command() },
        body: amount === undefined ? {} : { amount },
      }),
      200,
    );
  const readHold = (holdId: string, position: string) =>
    ok(
      owner.GET('/v1/accounts/{id}/holds/{holdId}', {
        params: { path: { id: account, holdId }, header: after(position) },
      }),
    );

  before(async () => {
    system = await startSystem('e2e_holds');
    teller = system.api('teller-holds', ['teller']);
    owner = system.api('hana', ['customer']);
    account = await openForHana();
    await deposit(teller, account, '100.00');
    partial = await placeHold(account, '30.00');
    captured = await capture(account, partial.holdId, '12.00');
    open = await placeHold(account, '10.00', new Date(Date.now() + 3_600_000).toISOString());
  });
  afterAll(() => system?.stop());

  it('shows a hold right after it is placed (read-your-writes)', async () => {
    const hold = await readHold(open.holdId, open.position);
    assert.equal(hold.status, 'open');
    assert.equal(hold.amount, '10.00');
    assert.equal(hold.captured, '0.00');
    assert.equal(hold.released, '0.00');
    assert.ok(hold.expiresAt, 'an expiring hold says when');
  });

  it('a partial capture releases the rest, and the hold says how much', async () => {
    const hold = await readHold(partial.holdId, captured.position);
    assert.deepEqual(
      {
        status: hold.status,
        amount: hold.amount,
        captured: hold.captured,
        released: hold.released,
      },
      { status: 'captured', amount: '30.00', captured: '12.00', released: '18.00' },
    );
    assert.equal(captured.released, '18.00', 'the capture answers what it released');
    assert.equal(captured.account.held, '0.00');
    assert.equal(captured.account.balance, '88.00');
  });

  it('a full capture releases nothing, and says so', async () => {
    const other = await openForHana();
    await deposit(teller, other, '50.00');
    const hold = await placeHold(other, '20.00');
    const whole = await capture(other, hold.holdId);
    assert.deepEqual(
      { released: whole.released, balance: whole.account.balance, held: whole.account.held },
      { released: '0.00', balance: '30.00', held: '0.00' },
    );
  });

  it('lists holds newest first, by page and by status', async () => {
    const list = (query: { limit?: string; cursor?: string; status?: string }, position?: string) =>
      ok(
        owner.GET('/v1/accounts/{id}/holds', {
          params: {
            path: { id: account },
            query,
            ...(position === undefined ? {} : { header: after(position) }),
          },
        }),
      );
    const all = await list({}, open.position);
    assert.deepEqual(
      all.holds.map((h) => h.id),
      [open.holdId, partial.holdId],
    );
    assert.equal(all.nextCursor, null);

    const first = await list({ limit: '1' }, open.position);
    assert.deepEqual(
      first.holds.map((h) => h.id),
      [open.holdId],
    );
    assert.ok(first.nextCursor);
    const second = await list({ limit: '1', cursor: first.nextCursor });
    assert.deepEqual(
      second.holds.map((h) => h.id),
      [partial.holdId],
    );
    assert.equal(second.nextCursor, null);

    const onlyOpen = await list({ status: 'open' });
    assert.deepEqual(
      onlyOpen.holds.map((h) => h.id),
      [open.holdId],
    );
  });

  it("another customer cannot see an account's holds, nor probe for them", async () => {
    const stranger = system.api('ivan', ['customer']);
    const unknownHold = '00000000-0000-4000-8000-000000000000';
    const onAccount = { path: { id: account } };
    for (const [name, answer] of [
      ['the list', await stranger.GET('/v1/accounts/{id}/holds', { params: onAccount })],
      [
        'a hold of the account',
        await stranger.GET('/v1/accounts/{id}/holds/{holdId}', {
          params: { path: { id: account, holdId: open.holdId } },
        }),
      ],
      [
        'an unknown hold',
        await stranger.GET('/v1/accounts/{id}/holds/{holdId}', {
          params: { path: { id: account, holdId: unknownHold } },
        }),
      ],
    ] as const) {
      assert.equal(answer.response.status, 404, name);
      assert.equal(answer.error?.code, 'NOT_FOUND', name);
    }
    const unknown = await owner.GET('/v1/accounts/{id}/holds/{holdId}', {
      params: { path: { id: account, holdId: unknownHold } },
    });
    assert.equal(unknown.response.status, 404);
  });

  it('refuses a bad filter, cursor or limit with a message naming the rule', async () => {
    const cases: [{ status?: string; cursor?: string; limit?: string }, RegExp][] = [
      [{ status: 'pending' }, /status/],
      [{ cursor: 'garbage!' }, /cursor/],
      [{ limit: '0' }, /limit/],
    ];
    for (const [query, field] of cases) {
      const name = JSON.stringify(query);
      const answer = await owner.GET('/v1/accounts/{id}/holds', {
        params: { path: { id: account }, query },
      });
      assert.equal(answer.response.status, 400, name);
      assert.match(answer.error?.field ?? answer.error?.detail ?? '', field, name);
    }
  });
});
