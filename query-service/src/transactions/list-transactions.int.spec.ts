import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { grpc } from '@bank/platform';
import type { queryTypes } from '@bank/proto';
import { startHarness, type Harness } from '../testing/harness.js';
import { insertAccount, insertEntries, type SeedEntry } from '../testing/seed.js';
import { encodeCursor } from './cursor.js';

type Entry = queryTypes.LedgerEntry__Output;
const TYPES = [
  'deposit',
  'withdrawal',
  'hold_capture',
  'transfer_in',
  'transfer_out',
  'transfer_refund',
];
const START_MS = Date.parse('2024-01-01T00:00:00.000Z');
const MINUTE = 60_000;

/** Entries `first..last`, one a minute, cycling through the types; positions equal revisions. */
function entries(first: number, last: number): SeedEntry[] {
  const out: SeedEntry[] = [];
  for (let revision = first; revision <= last; revision++) {
    const type = TYPES[revision % TYPES.length] ?? 'deposit';
    const outgoing = type === 'withdrawal' || type === 'transfer_out' || type === 'hold_capture';
    out.push({
      revision: BigInt(revision),
      type,
      amount: outgoing ? -100n : 300n,
      balanceAfter: BigInt(revision) * 100n,
      occurredAt: new Date(START_MS + revision * MINUTE).toISOString(),
    });
  }
  return out;
}

describe('ListTransactions', () => {
  let h: Harness;
  let big: string;
  let small: string;

  const page = (request: queryTypes.ListTransactionsRequest) =>
    h.client.call('ListTransactions', request) as Promise<{ entries: Entry[]; nextCursor: string }>;

  before(async () => {
    h = await startHarness();
    big = await insertAccount(h.schema.pool, { ownerId: 'carol' });
    small = await insertAccount(h.schema.pool, { ownerId: 'dave' });
    await insertEntries(h.schema.pool, big, 'USD', entries(1, 10_000));
    await insertEntries(h.schema.pool, small, 'USD', entries(1, 30));
  });
  after(() => h.close());

  it('walks 10,000 entries newest first, each exactly once, while new entries arrive', async () => {
    let inserting = true;
    let nextRevision = 10_001;
    // Entries keep arriving during the walk, as they would from the projector.
    const writer = (async () => {
      while (inserting) {
        await insertEntries(h.schema.pool, big, 'USD', entries(nextRevision, nextRevision + 4));
        nextRevision += 5;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const seen: number[] = [];
    let cursor = '';
    let pages = 0;
    const started = performance.now();
    try {
      do {
        const reply = await page({ accountId: big, limit: 200, cursor });
        for (const entry of reply.entries) seen.push(Number(entry.position));
        cursor = reply.nextCursor;
        pages++;
      } while (cursor !== '');
    } finally {
      inserting = false;
      await writer;
    }
    const perPageMs = (performance.now() - started) / pages;
    assert.ok(nextRevision > 10_001 + 5, 'entries were inserted during the walk');
    assert.equal(new Set(seen).size, seen.length, 'no entry twice');
    for (let i = 1; i < seen.length; i++)
      assert.ok(seen[i - 1]! > seen[i]!, 'strictly newest first');
    // Whatever was newest when the walk began, everything below it came back, down to the first.
    const top = seen[0]!;
    assert.ok(top >= 10_000);
    assert.equal(seen.length, top, 'no entry skipped');
    assert.equal(seen.at(-1), 1);
    console.log(
      `# walked ${seen.length} entries in ${pages} pages, ${perPageMs.toFixed(1)} ms per page`,
    );
  });

  it('returns the default page of 50 and an empty cursor on the last page', async () => {
    const first = await page({ accountId: small });
    assert.equal(first.entries.length, 30);
    assert.equal(first.nextCursor, '');
    const firstEntry = first.entries[0]!;
    assert.equal(firstEntry.accountId, small);
    assert.equal(firstEntry.currency, 'USD');
    assert.equal(firstEntry.position, '30');
    assert.equal(firstEntry.occurredAt, new Date(START_MS + 30 * MINUTE).toISOString());
    assert.match(firstEntry.amount, /^-?\d+\.\d{2}$/);
  });

  it('filters by entry type', async () => {
    const reply = await page({ accountId: small, types: ['deposit', 'transfer_in'] });
    assert.ok(reply.entries.length > 0);
    assert.ok(reply.entries.every((e) => e.type === 'deposit' || e.type === 'transfer_in'));
    const expected = entries(1, 30).filter(
      (e) => e.type === 'deposit' || e.type === 'transfer_in',
    ).length;
    assert.equal(reply.entries.length, expected);
  });

  it('filters by time: from inclusive, to exclusive', async () => {
    const at = (revision: number) => new Date(START_MS + revision * MINUTE).toISOString();
    const reply = await page({ accountId: small, from: at(10), to: at(20) });
    assert.deepEqual(
      reply.entries.map((e) => Number(e.position)),
      [19, 18, 17, 16, 15, 14, 13, 12, 11, 10],
    );
    // Offsets are honoured: 10:10+01:00 is 09:10Z.
    const offset = await page({ accountId: small, from: '2024-01-01T01:10:00+01:00', to: at(12) });
    assert.deepEqual(
      offset.entries.map((e) => Number(e.position)),
      [11, 10],
    );
  });

  it('pages through a filtered range with the cursor', async () => {
    const seen: number[] = [];
    let cursor = '';
    do {
      const reply = await page({ accountId: small, limit: 3, cursor, types: ['deposit'] });
      seen.push(...reply.entries.map((e) => Number(e.position)));
      cursor = reply.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      entries(1, 30)
        .filter((e) => e.type === 'deposit')
        .map((e) => Number(e.revision))
        .reverse(),
    );
  });

  it('rejects bad cursors, times, ranges, types and limits', async () => {
    const cases: [queryTypes.ListTransactionsRequest, string][] = [
      [{ accountId: small, cursor: 'garbage!' }, 'cursor'],
      [{ accountId: small, cursor: 'AAAA' }, 'cursor'],
      [
        {
          accountId: small,
          cursor: Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 5]).toString('base64url'),
        },
        'cursor',
      ],
      [{ accountId: small, cursor: encodeCursor(5n) + 'A' }, 'cursor'],
      [{ accountId: small, from: '2024-01-01' }, 'from'],
      [{ accountId: small, from: '2024-02-30T00:00:00Z' }, 'from'],
      [{ accountId: small, to: 'yesterday' }, 'to'],
      [{ accountId: small, from: '2024-01-02T00:00:00Z', to: '2024-01-01T00:00:00Z' }, 'from'],
      [{ accountId: small, types: ['refund'] }, 'types'],
      [{ accountId: small, limit: 201 }, 'limit'],
      [{ accountId: 'nope' }, 'account_id'],
    ];
    for (const [request, field] of cases) {
      const failure = await h.client.failure('ListTransactions', request);
      assert.equal(failure.status, grpc.status.INVALID_ARGUMENT, JSON.stringify(request));
      assert.equal(failure.appError.details.field, field, JSON.stringify(request));
    }
    assert.equal((await page({ accountId: small, limit: 200 })).entries.length, 30);
  });

  it("answers NOT_FOUND for an unknown account and for another owner's", async () => {
    const unknown = await h.client.failure('ListTransactions', { accountId: randomUUID() });
    assert.equal(unknown.status, grpc.status.NOT_FOUND);
    const foreign = await h.client.failure('ListTransactions', {
      accountId: small,
      options: { restrictToOwner: 'carol' },
    });
    assert.equal(foreign.status, grpc.status.NOT_FOUND);
    const own = await page({ accountId: small, limit: 1, options: { restrictToOwner: 'dave' } });
    assert.equal(own.entries.length, 1);
  });
});
