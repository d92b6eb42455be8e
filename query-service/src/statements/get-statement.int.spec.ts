import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parseAmount } from '@bank/domain';
import { grpc } from '@bank/platform';
import type { queryTypes } from '@bank/proto';
import { startHarness, type Harness } from '../testing/harness.js';
import { insertAccount, insertEntries, prng, type SeedEntry } from '../testing/seed.js';

type Statement = queryTypes.Statement__Output & { entries: queryTypes.LedgerEntry__Output[] };

const DAY = 86_400_000;
const START = Date.parse('2024-02-25T00:00:00.000Z');

/** Minor units from a wire amount, exactly (negative amounts carry a sign the parser does not take). */
function minor(text: string): bigint {
  const negative = text.startsWith('-');
  const parsed = parseAmount(negative ? text.slice(1) : text, 'USD', {
    allowZero: true,
    max: 2n ** 63n,
  });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return negative ? -parsed.minor : parsed.minor;
}

describe('GetStatement', () => {
  let h: Harness;
  let account: string;
  const ledger: SeedEntry[] = [];

  const statement = (request: queryTypes.GetStatementRequest) =>
    h.client.call('GetStatement', request) as Promise<Statement>;

  before(async () => {
    h = await startHarness();
    account = await insertAccount(h.schema.pool, { ownerId: 'gina' });
    // 600 entries over ~10 days at random times, with amounts large enough to need bigint.
    const random = prng(42);
    let balance = 0n;
    let at = START;
    for (let revision = 1; revision <= 600; revision++) {
      at += Math.floor(random() * 0.033 * DAY);
      const deposit = balance < 1_000_000n || random() < 0.55;
      const amount =
        BigInt(Math.floor(random() * 9_000_000_000)) * 1_000_003n * (deposit ? 1n : -1n);
      const bounded = deposit || balance + amount >= 0n ? amount : -balance;
      balance += bounded;
      ledger.push({
        revision: BigInt(revision),
        type: bounded >= 0n ? 'deposit' : 'withdrawal',
        amount: bounded,
        balanceAfter: balance,
        occurredAt: new Date(at).toISOString(),
      });
    }
    // Entries exactly on the period's edges: midnight belongs to the day it starts.
    const edges = [
      '2024-02-28T00:00:00.000Z',
      '2024-03-02T23:59:59.999Z',
      '2024-03-03T00:00:00.000Z',
    ];
    for (const [i, occurredAt] of edges.entries()) {
      balance += 7n;
      ledger.push({
        revision: 601n + BigInt(i),
        type: 'deposit',
        amount: 7n,
        balanceAfter: balance,
        occurredAt,
      });
    }
    ledger.sort(
      (a, b) =>
        Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || Number(a.revision - b.revision),
    );
    // Revisions follow time, as they do in a stream.
    let running = 0n;
    const ordered = ledger.map((entry, i) => {
      running += entry.amount;
      return { ...entry, revision: BigInt(i + 1), balanceAfter: running };
    });
    ledger.splice(0, ledger.length, ...ordered);
    await insertEntries(h.schema.pool, account, 'USD', ledger);
  });
  after(() => h.close());

  it('agrees with the ledger to the minor unit', async () => {
    const from = '2024-02-28';
    const to = '2024-03-02';
    const reply = await statement({ accountId: account, from, to });
    const startMs = Date.parse(`${from}T00:00:00Z`);
    const endMs = Date.parse(`${to}T00:00:00Z`) + DAY;
    const before = ledger.filter((e) => Date.parse(e.occurredAt) < startMs);
    const inside = ledger.filter(
      (e) => Date.parse(e.occurredAt) >= startMs && Date.parse(e.occurredAt) < endMs,
    );
    const opening = before.at(-1)?.balanceAfter ?? 0n;
    const closing = inside.at(-1)?.balanceAfter ?? opening;
    const totalIn = inside.filter((e) => e.amount > 0n).reduce((sum, e) => sum + e.amount, 0n);
    const totalOut = inside.filter((e) => e.amount < 0n).reduce((sum, e) => sum - e.amount, 0n);

    assert.ok(inside.length > 100 && before.length > 100, 'the period has entries on both sides');
    assert.equal(reply.entries.length, inside.length);
    assert.equal(minor(reply.openingBalance), opening);
    assert.equal(minor(reply.closingBalance), closing);
    assert.equal(minor(reply.totalIn), totalIn);
    assert.equal(minor(reply.totalOut), totalOut);
    assert.equal(
      minor(reply.openingBalance) + minor(reply.totalIn) - minor(reply.totalOut),
      minor(reply.closingBalance),
    );
    assert.ok(closing > 2n ** 53n, "amounts beyond a double's exact range");
    assert.deepEqual(
      reply.entries.map((e) => e.position),
      inside.map((e) => e.revision.toString()),
    );
    assert.equal(reply.entries[0]?.occurredAt, '2024-02-28T00:00:00.000Z');
    assert.equal(reply.entries.at(-1)?.occurredAt, '2024-03-02T23:59:59.999Z');
    assert.equal(reply.currency, 'USD');
    assert.equal(reply.from, from);
    assert.equal(reply.to, to);
  });

  it('opens at zero before the first entry and carries the balance over empty periods', async () => {
    const early = await statement({ accountId: account, from: '2024-01-01', to: '2024-01-31' });
    assert.deepEqual(
      [
        early.openingBalance,
        early.closingBalance,
        early.totalIn,
        early.totalOut,
        early.entries.length,
      ],
      ['0.00', '0.00', '0.00', '0.00', 0],
    );
    const later = await statement({ accountId: account, from: '2024-06-01', to: '2024-06-01' });
    const final = ledger.at(-1)!.balanceAfter;
    assert.equal(minor(later.openingBalance), final);
    assert.equal(minor(later.closingBalance), final);
    assert.equal(later.entries.length, 0);
  });

  it('rejects bad dates and ranges', async () => {
    const cases: [string, string, string][] = [
      ['2024-03-02', '2024-03-01', 'from'],
      ['2024-02-30', '2024-03-01', 'from'],
      ['2024-3-1', '2024-03-01', 'from'],
      ['2024-03-01', '', 'to'],
      ['2024-03-01T00:00:00Z', '2024-03-02', 'from'],
      ['2020-01-01', '2024-01-01', 'to'],
    ];
    for (const [from, to, field] of cases) {
      const failure = await h.client.failure('GetStatement', { accountId: account, from, to });
      assert.equal(failure.status, grpc.status.INVALID_ARGUMENT, `${from}..${to}`);
      assert.equal(failure.appError.details.field, field, `${from}..${to}`);
    }
  });

  it('is NOT_FOUND for an unknown account and for another owner', async () => {
    const period = { from: '2024-03-01', to: '2024-03-01' };
    assert.equal(
      (await h.client.failure('GetStatement', { accountId: randomUUID(), ...period })).status,
      grpc.status.NOT_FOUND,
    );
    const foreign = await h.client.failure('GetStatement', {
      accountId: account,
      ...period,
      options: { restrictToOwner: 'hal' },
    });
    assert.equal(foreign.status, grpc.status.NOT_FOUND);
    const own = await statement({
      accountId: account,
      ...period,
      options: { restrictToOwner: 'gina' },
    });
    assert.equal(own.accountId, account);
  });
});
