import { parentPort, workerData } from 'node:worker_threads';
import type { ProjectionEvent } from '@bank/read-models';
import type { LoadTally } from './bulk-load.js';
import type { FromPart, PartWorkerData, ToPart } from './fold-parts.js';
import type { EventPage } from './read-events.js';
import { SqlThread } from './sql-thread.js';

/**
 * One part of the rebuild's fold (see FoldParts): a ShadowLoader of its own, with its own row
 * caches, writer connection and checkpoint, fed with the COPY lines of its streams. It decodes
 * them here, leaving out the events its checkpoint already covers. The worker starts before the
 * shadow is ready (PartWorkers), so its modules load and its writer's thread connects meanwhile;
 * its setup comes in its first message.
 */
const port = parentPort;
if (!port) throw new Error('fold-part-worker runs as a worker thread');
const { databaseUrl } = workerData as PartWorkerData;
const started = SqlThread.start(databaseUrl);
// Its failure surfaces where it is awaited.
started.catch(() => undefined);

const inbox: ToPart[] = [];
let wake: (() => void) | undefined;
port.on('message', (message: ToPart) => {
  inbox.push(message);
  wake?.();
});

async function next(): Promise<ToPart> {
  for (;;) {
    const message = inbox.shift();
    if (message) return message;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
}

// The rest of the part's modules load while its writer's thread starts (sql-thread.js is light).
const [{ ShadowLoader }, { decodeLine }, { shadowKnex }] = await Promise.all([
  import('./bulk-load.js'),
  import('./read-events.js'),
  import('./shadow-schema.js'),
]);

const post = (message: FromPart, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(message, transfer);
const NEWLINE = 0x0a;

/** The round's pages, decoded, until its end; each one acknowledged once folded. */
async function* pages(resumeAfter: bigint): AsyncGenerator<EventPage> {
  for (;;) {
    const message = await next();
    if (message.type === 'end') return;
    if (message.type !== 'page') throw new Error(`unexpected ${message.type} in a round`);
    const events: ProjectionEvent[] = [];
    const bytes = Buffer.from(message.lines.buffer, message.lines.byteOffset, message.lines.length);
    let read = 0;
    for (
      let start = 0, end = bytes.indexOf(NEWLINE);
      end >= 0;
      end = bytes.indexOf(NEWLINE, start)
    ) {
      read += 1;
      const event = decodeLine(bytes.toString('utf8', start, end));
      if (event.position > resumeAfter) events.push(event);
      start = end + 1;
    }
    yield { events, scannedUpTo: BigInt(message.scannedUpTo), read };
    const buffer = message.lines.buffer as ArrayBuffer;
    post({ type: 'folded', buffer }, [buffer]);
  }
}

const tally: LoadTally = {
  read: () => undefined,
  written: (events) => post({ type: 'written', events }),
};

async function main(): Promise<void> {
  const first = await next();
  if (first.type !== 'setup') {
    await (await started.catch(() => undefined))?.close();
    if (first.type === 'close') return;
    throw new Error(`unexpected ${first.type} before the setup`);
  }
  const { setup } = first;
  const resumeAfter = BigInt(setup.resumeAfter);
  const shadowDb = shadowKnex(databaseUrl, setup.schema.shadow);
  try {
    const loader = await ShadowLoader.open(
      databaseUrl,
      setup.schema,
      shadowDb,
      setup.cacheRows,
      setup.empty,
      setup.checkpointName,
      started,
    );
    try {
      post({ type: 'ready' });
      for (let message = await next(); message.type !== 'close'; message = await next()) {
        if (message.type !== 'round') throw new Error(`unexpected ${message.type} between rounds`);
        const done = await loader.catchUp(
          pages(resumeAfter),
          BigInt(message.after),
          setup.batchSize,
          tally,
        );
        post({ type: 'done', after: done.after.toString(), applied: done.applied });
      }
    } finally {
      await loader.close();
    }
  } finally {
    await shadowDb.destroy();
  }
}

main().then(
  () => port.close(),
  (error: unknown) => {
    const fields = error as { name?: unknown; message?: unknown; code?: unknown };
    post({
      type: 'failed',
      name: typeof fields.name === 'string' ? fields.name : 'Error',
      message: typeof fields.message === 'string' ? fields.message : String(error),
      code: typeof fields.code === 'string' ? fields.code : undefined,
    });
    port.close();
  },
);
