import { accountStream, transferStream } from '@bank/domain';
import type { EventStore, RecordedEvent } from '@bank/event-store';
import { ImpliedViews } from '@bank/read-models';
import type { Knex } from 'knex';
import type { Progress } from '../cli/progress.js';
import { compareAccount, compareTransfer, mayBeLag, type Difference } from './compare.js';
import { accountFacts, foldOne, transferFacts } from './folded-state.js';
import { viewAccount, viewAccountPages, viewTransfer, viewTransferPages } from './view-rows.js';

export interface VerifyOptions {
  readonly batchSize: number;
  /**
   * How long a difference that looks like projection lag (the view is at another revision, or
   * lacks or has an entity the fold does not) is rechecked, stream by stream, before it counts.
   */
  readonly settleMs: number;
}

export interface VerifyResult {
  readonly position: bigint;
  readonly events: number;
  readonly accounts: number;
  readonly transfers: number;
  readonly differences: Difference[];
}

/**
 * Folds the event store up to its head (one pass over the global order) and compares every
 * account and transfer with the read models, page by page. Differences that may be the
 * projector's lag (or events appended after the fold started) are rechecked per stream until
 * they settle; differences at the same revision are reported at once.
 */
export async function runVerify(
  db: Knex,
  store: EventStore,
  options: VerifyOptions,
  progress: Progress,
): Promise<VerifyResult> {
  const head = await store.headPosition();
  progress.setTotal(Number(head));
  const folded = new ImpliedViews();
  let after = 0n;
  let events = 0;
  while (after < head) {
    const page = await store.readAll({ after, upTo: head, maxCount: options.batchSize });
    if (page.length === 0) break;
    for (const event of page) folded.apply(event);
    const last = page[page.length - 1]?.position ?? head;
    progress.add(Number(last - after));
    events += page.length;
    after = last;
  }
  progress.finish();
  const accounts = folded.accounts.size;
  const transfers = folded.transfers.size;

  const found = new Map<string, Difference[]>();
  await compareEvery(
    found,
    'account',
    viewAccountPages(db, options.batchSize),
    folded.accounts,
    (id, entry, row) => compareAccount(id, accountFacts(entry), row),
  );
  await compareEvery(
    found,
    'transfer',
    viewTransferPages(db, options.batchSize),
    folded.transfers,
    (id, entry, row) => compareTransfer(id, transferFacts(entry), row),
  );

  const settled = await settle(db, store, found, options);
  const differences = [...settled.values()].flat();
  for (const bad of folded.undecodable) {
    differences.push({
      entity: 'event',
      id: bad.eventId,
      field: 'decode',
      expected: `a valid event at position ${bad.position} on ${bad.streamId}`,
      actual: bad.error,
    });
  }
  return { position: head, events, accounts, transfers, differences };
}

function note(found: Map<string, Difference[]>, key: string, differences: Difference[]): void {
  if (differences.length > 0) found.set(key, differences);
}

/** Rechecks lag-like differences stream by stream until they vanish or the time is up. */
async function settle(
  db: Knex,
  store: EventStore,
  found: Map<string, Difference[]>,
  options: VerifyOptions,
): Promise<Map<string, Difference[]>> {
  const deadline = Date.now() + options.settleMs;
  for (;;) {
    const pending = [...found].filter(([, differences]) => mayBeLag(differences));
    if (pending.length === 0) return found;
    for (const [key, differences] of pending) {
      const recheck = await recheckEntity(db, store, key);
      if (recheck.length === 0) found.delete(key);
      else found.set(key, recheck.length > 0 ? recheck : differences);
    }
    if (Date.now() >= deadline || ![...found.values()].some(mayBeLag)) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function recheckEntity(db: Knex, store: EventStore, key: string): Promise<Difference[]> {
  const [kind, id = ''] = key.split(/:(.*)/s);
  if (kind === 'account') {
    const folded = foldOne(await readWholeStream(store, accountStream(id)));
    return compareAccount(id, accountFacts(folded.accounts.get(id)), await viewAccount(db, id));
  }
  const folded = foldOne(await readWholeStream(store, transferStream(id)));
  return compareTransfer(id, transferFacts(folded.transfers.get(id)), await viewTransfer(db, id));
}

async function readWholeStream(store: EventStore, streamId: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readStream(streamId, {
      fromRevision: BigInt(events.length),
      maxCount: 1000,
    });
    events.push(...page);
    if (page.length < 1000) return events;
  }
}

/**
 * Compares every view row of one kind with what the store implies for it, then reports what the
 * store implies that no row shows. `implied` is emptied on the way, so memory falls as pages pass.
 */
async function compareEvery<R extends { readonly id: string }, E>(
  found: Map<string, Difference[]>,
  kind: 'account' | 'transfer',
  pages: AsyncIterable<readonly R[]>,
  implied: Map<string, E>,
  compare: (id: string, entry: E | undefined, row: R | undefined) => Difference[],
): Promise<void> {
  for await (const page of pages) {
    for (const row of page) {
      note(found, `${kind}:${row.id}`, compare(row.id, implied.get(row.id), row));
      implied.delete(row.id);
    }
  }
  for (const [id, entry] of implied) note(found, `${kind}:${id}`, compare(id, entry, undefined));
  implied.clear();
}
