import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createOpsFixture, runCli, type OpsFixture } from './testing/harness.js';
import { seedEvents } from './testing/seed.js';

interface Line {
  readonly done: number;
  readonly total: number | undefined;
  readonly final: boolean;
  readonly text: string;
}

/** The progress lines of `bank rebuild` on a pipe (one line every 2 s, then the final one). */
function progressLines(stderr: string, label: string): Line[] {
  const lines: Line[] = [];
  for (const text of stderr.split('\n')) {
    const match = new RegExp(`^${label}: (done: )?(\\d+)(?:/(\\d+))? events`).exec(text);
    if (!match) continue;
    lines.push({
      final: match[1] !== undefined,
      done: Number(match[2]),
      total: match[3] === undefined ? undefined : Number(match[3]),
      text,
    });
  }
  return lines;
}

async function countEvents(fixture: OpsFixture, like: string): Promise<number> {
  const result = await fixture.schema.pool.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM events WHERE stream_id LIKE $1',
    [like],
  );
  return Number(result.rows[0]?.n ?? 0);
}

describe('bank rebuild output', () => {
  let fixture: OpsFixture;
  before(async () => {
    fixture = await createOpsFixture('ops_rebuild_output');
    await seedEvents(fixture.store, { accounts: 80, events: 30_000, chunk: 20 });
  });
  after(() => fixture?.close());

  it('counts the projection events to their real total, ends with one final line, and the summary says the same', async () => {
    // Events keep arriving during the rebuild (a bounded number, so that it catches up): the
    // total grows with them, and only with them.
    let stop = false;
    const appending = (async () => {
      for (let i = 0; i < 20 && !stop; i += 1) {
        await seedEvents(fixture.store, { accounts: 2, events: 60, chunk: 10 });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const rebuilt = await runCli(['rebuild', 'accounts', '--batch-size', '200'], fixture.env);
    stop = true;
    await appending;
    assert.equal(rebuilt.code, 0, rebuilt.stderr);

    const lines = progressLines(rebuilt.stderr, 'rebuild accounts');
    assert.ok(lines.length >= 2, `too few progress lines to judge:\n${rebuilt.stderr}`);
    assert.doesNotMatch(rebuilt.stderr, /ETA \?/);
    const finals = lines.filter((line) => line.final);
    assert.equal(finals.length, 1, rebuilt.stderr);
    const last = lines.at(-1);
    assert.ok(last?.final, `the last progress line is not the final one:\n${rebuilt.stderr}`);
    let total = 0;
    let done = 0;
    for (const line of lines) {
      assert.ok(line.total !== undefined, `no total in ${line.text}`);
      assert.ok(line.total >= total, `the total went down: ${line.text}`);
      assert.ok(line.done >= done && line.done <= line.total, `bad count: ${line.text}`);
      total = line.total;
      done = line.done;
    }
    assert.equal(last.done, last.total, last.text);
    const summary = /rebuilt accounts in \S+: (\d+) events/.exec(rebuilt.stdout);
    assert.equal(Number(summary?.[1]), last.done, rebuilt.stdout);

    // A fresh rebuild reads every account event once: the count is the store's.
    const quiet = await runCli(['rebuild', 'accounts', '--json'], fixture.env);
    assert.equal(quiet.code, 0, quiet.stderr);
    const { events } = JSON.parse(quiet.stdout) as { events: number };
    assert.equal(events, await countEvents(fixture, 'account-%'));
    assert.ok(events < (await countEvents(fixture, '%')), 'the store holds transfer events too');
  });
});
