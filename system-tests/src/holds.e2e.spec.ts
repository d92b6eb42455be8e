import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { command, ok, type Api, type Schemas } from './support/api.js';
import type { AccountResult, Client, HoldResult, Problem } from './support/client.js';
import { startSystem, type System } from './support/system.js';

interface Hold {
  readonly id: string;
  readonly accountId: string;
  readonly currency: string;
  readonly amount: string;
  readonly captured: string;
  readonly released: string;
  readonly status: string;
  readonly expiresAt?: string;
  readonly placedAt: string;
  readonly updatedAt: string;
}

interface HoldPage {
  readonly holds: readonly Hold[];
  readonly nextCursor: string | null;
}

/** Holds can be looked up: an account's list (paginated, filtered) and one hold, read-your-writes. */
describe('holds are visible', () => {
  let system: System;
  let teller: Client;
  /** The teller through the typed client: a capture's answer is typed by the document. */
  let tellerApi: Api;
  let owner: Client;
  let account: string;
  let partial: HoldResult;
  let open: HoldResult;
  let captured: Schemas['HoldCaptureResult'];

  const capture = (accountId: string, holdId: string, amount?: string) =>
    ok(
      tellerApi.POST('/v1/accounts/{id}/holds/{holdId}/capture', {
        params: { path: { id: accountId, holdId }, header: command() },
        body: amount === undefined ? {} : { amount },
      }),
    );

  before(async () => {
    system = await startSystem('e2e_holds');
    teller = system.as('teller-holds', ['teller']);
    tellerApi = system.api('teller-holds', ['teller']);
    owner = system.as('hana', ['customer']);
    const opened = await teller.ok<AccountResult>('/v1/accounts', {
      currency: 'USD',
      ownerId: 'hana',
    });
    account = opened.account.id;
    await teller.ok(`/v1/accounts/${account}/deposits`, { amount: '100.00' });
    partial = await teller.ok<HoldResult>(`/v1/accounts/${account}/holds`, { amount: '30.00' });
    captured = await capture(account, partial.holdId, '12.00');
    open = await teller.ok<HoldResult>(`/v1/accounts/${account}/holds`, {
      amount: '10.00',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
  });
  after(() => system?.stop());

  it('shows a hold right after it is placed (read-your-writes)', async () => {
    const hold = await owner.read<Hold>(
      `/v1/accounts/${account}/holds/${open.holdId}`,
      open.position,
    );
    assert.equal(hold.status, 'open');
    assert.equal(hold.amount, '10.00');
    assert.equal(hold.captured, '0.00');
    assert.equal(hold.released, '0.00');
    assert.ok(hold.expiresAt, 'an expiring hold says when');
  });

  it('a partial capture releases the rest, and the hold says how much', async () => {
    const hold = await owner.read<Hold>(
      `/v1/accounts/${account}/holds/${partial.holdId}`,
      captured.position,
    );
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
    const other = (
      await teller.ok<AccountResult>('/v1/accounts', { currency: 'USD', ownerId: 'hana' })
    ).account.id;
    await teller.ok(`/v1/accounts/${other}/deposits`, { amount: '50.00' });
    const hold = await teller.ok<HoldResult>(`/v1/accounts/${other}/holds`, { amount: '20.00' });
    const whole = await capture(other, hold.holdId);
    assert.deepEqual(
      { released: whole.released, balance: whole.account.balance, held: whole.account.held },
      { released: '0.00', balance: '30.00', held: '0.00' },
    );
  });

  it('lists holds newest first, by page and by status', async () => {
    const all = await owner.read<HoldPage>(`/v1/accounts/${account}/holds`, open.position);
    assert.deepEqual(
      all.holds.map((h) => h.id),
      [open.holdId, partial.holdId],
    );
    assert.equal(all.nextCursor, null);

    const first = await owner.read<HoldPage>(
      `/v1/accounts/${account}/holds?limit=1`,
      open.position,
    );
    assert.deepEqual(
      first.holds.map((h) => h.id),
      [open.holdId],
    );
    assert.ok(first.nextCursor);
    const second = await owner.read<HoldPage>(
      `/v1/accounts/${account}/holds?limit=1&cursor=${first.nextCursor}`,
    );
    assert.deepEqual(
      second.holds.map((h) => h.id),
      [partial.holdId],
    );
    assert.equal(second.nextCursor, null);

    const onlyOpen = await owner.read<HoldPage>(`/v1/accounts/${account}/holds?status=open`);
    assert.deepEqual(
      onlyOpen.holds.map((h) => h.id),
      [open.holdId],
    );
  });

  it("another customer cannot see an account's holds, nor probe for them", async () => {
    const stranger = system.as('ivan', ['customer']);
    for (const path of [
      `/v1/accounts/${account}/holds`,
      `/v1/accounts/${account}/holds/${open.holdId}`,
      `/v1/accounts/${account}/holds/00000000-0000-4000-8000-000000000000`,
    ]) {
      const response = await stranger.get<Problem>(path);
      assert.equal(response.status, 404, path);
      assert.equal(response.body.code, 'NOT_FOUND');
    }
    const unknown = await owner.get<Problem>(
      `/v1/accounts/${account}/holds/00000000-0000-4000-8000-000000000000`,
    );
    assert.equal(unknown.status, 404);
  });

  it('refuses a bad filter, cursor or limit with a message naming the rule', async () => {
    const cases: [string, RegExp][] = [
      ['status=pending', /status/],
      ['cursor=garbage!', /cursor/],
      ['limit=0', /limit/],
    ];
    for (const [query, field] of cases) {
      const response = await owner.get<Problem>(`/v1/accounts/${account}/holds?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(response.body.field ?? response.body.detail ?? '', field, query);
    }
  });
});
