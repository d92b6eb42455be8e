import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { accountStream } from '@bank/domain';
import type { RecordedEvent } from '@bank/event-store';
import { recordDeadLetters } from '@bank/read-models';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import { STACK_STATE_FORMAT } from './stack-state.js';
import { createOpsFixture, runCli, type OpsFixture } from './testing/harness.js';
import { seedEvents, type Seeded } from './testing/seed.js';

/**
 * What an operator meets first: which database the CLI acts on, refusals before damage, clear
 * answers to bad or empty ranges, and the embedded mode's dead letters. The real `bank` binary
 * against a real PostgreSQL, with no DATABASE_URL unless a test gives one.
 */

const NO_ENV = { DATABASE_URL: undefined, KAFKA_BROKERS: undefined };

describe('bank, as an operator finds it', () => {
  let fixture: OpsFixture;
  let seeded: Seeded;
  let empty: TestSchema;
  let stateDir: string;
  let env: Record<string, string | undefined>;

  before(async () => {
    fixture = await createOpsFixture('ops_operator');
    seeded = await seedEvents(fixture.store, { accounts: 3, events: 60 });
    empty = await createTestSchema('ops_empty');
    stateDir = mkdtempSync(join(tmpdir(), 'bank-ops-state-'));
    env = { ...NO_ENV, DATABASE_URL: fixture.schema.url };
  });
  after(async () => {
    await fixture?.close();
    await empty?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  function writeState(pid: number, databaseUrl: string, command?: string): void {
    writeFileSync(
      join(stateDir, 'state.json'),
      JSON.stringify({
        format: STACK_STATE_FORMAT,
        pid,
        command,
        startedAt: new Date().toISOString(),
        status: 'ready',
        databaseUrl,
        embeddedPostgres: null,
        eventStoreConnectionString: null,
        kafkaBrokers: [],
        gateway: { url: 'http://127.0.0.1:1', host: '127.0.0.1', port: 1 },
        services: {},
      }),
    );
  }

  it('acts on the system the running npm start recorded when DATABASE_URL is unset, and says so', async () => {
    writeState(process.pid, fixture.schema.url);
    const result = await runCli(['status', '--json'], { ...NO_ENV, BANK_STATE_DIR: stateDir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      (JSON.parse(result.stdout) as { head: string }).head,
      (await fixture.store.headPosition()).toString(),
    );
    assert.match(
      result.stderr,
      new RegExp(
        `^bank: database postgres://.* \\(the running npm start, pid ${process.pid}, from ${stateDir}/state\\.json\\)$`,
        'm',
      ),
    );

    // DATABASE_URL wins over the state file, and is named as the source.
    const explicit = await runCli(['status', '--json'], {
      ...env,
      BANK_STATE_DIR: stateDir,
      DATABASE_URL: empty.url,
    });
    assert.match(explicit.stderr, /^bank: database .* \(DATABASE_URL\)$/m);
  });

  it('ignores, and names, a state file whose npm start is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeState(gone, fixture.schema.url);
    // The default database is the machine's own: a read-only command, only its message checked.
    const result = await runCli(['status'], { ...NO_ENV, BANK_STATE_DIR: stateDir });
    assert.match(
      result.stderr,
      new RegExp(
        `the default: DATABASE_URL is unset and ${stateDir}/state\\.json is left from an npm start \\(pid ${gone}\\) that no longer runs`,
      ),
    );

    // A live pid that is not running start.mjs (reused after a reboot) is no npm start either.
    writeState(process.pid, fixture.schema.url, '/nowhere/scripts/start.mjs');
    const reused = await runCli(['status'], { ...NO_ENV, BANK_STATE_DIR: stateDir });
    assert.match(
      reused.stderr,
      new RegExp(`npm start \\(pid ${process.pid}\\) that no longer runs`),
    );
  });

  it('refuses rebuild and dlq replay on a database without an event store, changing nothing', async () => {
    for (const args of [
      ['rebuild', 'all'],
      ['dlq', 'replay'],
    ]) {
      const result = await runCli(args, { ...NO_ENV, DATABASE_URL: empty.url });
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(
        result.stderr,
        /refusing to (rebuild all|replay dead letters): the database .* holds no event store \(no table "events" in schema ops_empty_/,
      );
    }
    const { rows } = await empty.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_namespace WHERE nspname LIKE $1`,
      [`${empty.name}%`],
    );
    assert.equal(rows[0]?.n, '1', 'no shadow schema was created');
    const tables = await empty.pool.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = $1`,
      [empty.name],
    );
    assert.equal(tables.rowCount, 0, 'no table was created');
  });

  it('calls an unknown event type or an inverted range a usage error', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--type', 'Bogus'], /unknown event type "Bogus"; the types are AccountOpened, /],
      [
        ['--from-position', '20', '--to-position', '10'],
        /--from-position 20 is after --to-position 10: the range is empty/,
      ],
      [
        ['--since', '2024-05-02T00:00:00Z', '--until', '2024-05-01T00:00:00Z'],
        /--since 2024-05-02T00:00:00.000Z is after --until 2024-05-01T00:00:00.000Z/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['replay', ...args], env);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    }
  });

  it('says on stderr when a replay or a verify matches nothing, and exits 0', async () => {
    const nothing = await runCli(['replay', '--stream', 'nope'], env);
    assert.equal(nothing.code, 0, nothing.stderr);
    assert.equal(nothing.stdout, '');
    assert.match(
      nothing.stderr,
      /no events matched \(positions 1\.\.head; stream nope\): nothing replayed/,
    );

    const fresh = await createOpsFixture('ops_operator_empty');
    try {
      const verify = await runCli(['verify'], { ...NO_ENV, ...fresh.env });
      assert.equal(verify.code, 0, verify.stderr);
      assert.match(
        verify.stderr,
        /the event store holds no events and the views are empty: nothing to verify/,
      );
    } finally {
      await fresh.close();
    }
  });

  it('lists, shows and replays the embedded mode’s dead letters from PostgreSQL', async () => {
    const [healed, gapped] = seeded.accountIds;
    assert.ok(healed && gapped);
    const healedEvents = await fixture.store.readStream(accountStream(healed));
    const gappedLast = (await fixture.store.readStream(accountStream(gapped))).at(-1);
    assert.ok(gappedLast && healedEvents.length > 1);
    // As the embedded projector records them: every event of one account (a projection bug,
    // since fixed), and the last event of another whose earlier events never reached the views.
    await fixture.db.transaction((trx) =>
      recordDeadLetters(trx, [
        ...healedEvents.map((e) => letter(e, 'failed')),
        letter(gappedLast, 'gap'),
      ]),
    );

    const list = await runCli(['dlq', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      new RegExp(`${healedEvents.length + 1} dead letters in projection_dead_letters`),
    );
    assert.match(
      list.stdout,
      new RegExp(`gap ${gappedLast.type} ${accountStream(gapped)}@${gappedLast.revision}`),
    );
    const rows = (await runCli(['dlq', 'list', '--json'], env)).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; eventId: string });
    const gapRow = rows.find((row) => row.eventId === gappedLast.eventId);
    assert.ok(gapRow);

    const show = await runCli(['dlq', 'show', gapRow.id], env);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`#${gapRow.id} .* gap `));
    assert.match(show.stdout, /payload: \{"data":/);
    const unknown = await runCli(['dlq', 'show', '999999'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no dead letter with id 999999/);

    const replay = await runCli(['dlq', 'replay', '--json'], env);
    assert.equal(replay.code, 1, replay.stdout + replay.stderr);
    const summary = JSON.parse(replay.stdout) as { replayed: number; failed: number };
    assert.equal(summary.replayed, healedEvents.length);
    assert.equal(summary.failed, 1);
    assert.match(replay.stderr, /1 dead letters could not be replayed; their rows are kept/);

    const account = await fixture
      .db('accounts')
      .where({ account_id: healed })
      .first<{ revision: string } | undefined>();
    assert.equal(account?.revision, healedEvents.at(-1)?.revision.toString());
    const left = await fixture.db('projection_dead_letters').select('event_id');
    assert.deepEqual(
      left.map((row: { event_id: string }) => row.event_id),
      [gappedLast.eventId],
    );

    // Nothing left to heal but the gap: a second replay applies nothing and fails on it again.
    const again = await runCli(['dlq', 'replay'], env);
    assert.equal(again.code, 1);
    assert.match(
      again.stdout,
      /replayed 0 dead letters into the views \(0 already there\), 1 failed again/,
    );
  });

  it('reports lag in events and seconds, and the age of the newest applied event', async () => {
    const result = await runCli(['status', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const status = JSON.parse(result.stdout) as {
      lagEvents: string;
      lagSeconds: number;
      lastAppliedEventAgeSeconds: number | null;
    };
    // No watermark: every event is behind, the oldest appended seconds ago at most.
    assert.equal(status.lagEvents, (await fixture.store.headPosition()).toString());
    assert.ok(status.lagSeconds > 0 && status.lagSeconds < 600, String(status.lagSeconds));
    assert.equal(status.lastAppliedEventAgeSeconds, null);
    const text = await runCli(['status'], env);
    assert.match(text.stdout, /newest applied event none yet/);
  });
});

function letter(event: RecordedEvent, reason: string) {
  return {
    source: 'embedded',
    reason,
    error: `${reason}: test`,
    streamId: event.streamId,
    eventId: event.eventId,
    eventType: event.type,
    position: event.position,
    revision: event.revision,
    payload: JSON.stringify({ data: event.data, metadata: event.metadata }),
  };
}
