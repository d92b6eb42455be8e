// The LISTEN session of the position watcher exists only while a consistency wait is pending.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createKnex, createLogger } from '@bank/platform';
import { migrateReadModels, readProjectionProgress } from '@bank/read-models';
import { createTestSchema, waitFor, type TestSchema } from '@bank/testkit';
import type { Knex } from 'knex';
import { advanceWatermark } from '../testing/seed.js';
import { ProjectionPositionWatcher } from './position-watcher.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('position watcher: LISTEN only while someone waits', () => {
  let schema: TestSchema;
  let knex: Knex;
  let watcher: ProjectionPositionWatcher;
  let applicationName: string;

  /** The server's sessions of this watcher (found by the application name its URL gives). */
  const sessions = async (): Promise<Array<{ query: string }>> =>
    (
      await schema.pool.query<{ query: string }>(
        'SELECT query FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      )
    ).rows;

  before(async () => {
    schema = await createTestSchema('listen_on_demand');
    knex = createKnex({ databaseUrl: schema.url, poolSize: 2 });
    await migrateReadModels(knex);
    await advanceWatermark(schema.pool, 'watermark:0', 10n);
    applicationName = schema.name.slice(0, 60);
    const url = new URL(schema.url);
    url.searchParams.set('application_name', applicationName);
    watcher = new ProjectionPositionWatcher({
      databaseUrl: url.toString(),
      readPosition: async () => (await readProjectionProgress(knex)).consistentPosition,
      // Slowed to a minute: only the NOTIFY can wake a wait in time.
      pollMs: 60_000,
      listenIdleMs: 200,
      logger: createLogger({ service: 'query-test', level: 'silent' }),
    });
    await watcher.start();
  });
  after(async () => {
    await watcher?.stop();
    await knex?.destroy();
    await schema?.drop();
  });

  it('holds no session when nobody waits, even while the views advance', async () => {
    assert.equal(watcher.position, 10n);
    await advanceWatermark(schema.pool, 'watermark:0', 20n);
    await sleep(300);
    assert.deepEqual(await sessions(), []);
    assert.equal(watcher.listening, false);
  });

  it('answers a reached position from one read, without listening', async () => {
    // `position` is stale (10): the wait reads the views once and is answered.
    assert.equal(await watcher.waitFor(20n, 1000), true);
    assert.equal(watcher.listening, false);
  });

  it('listens while a wait is pending, wakes it promptly on NOTIFY, then closes', async () => {
    const waited = watcher.waitFor(50n, 5000);
    const [session] = await waitFor(
      async () => {
        const found = await sessions();
        return found.length > 0 && found;
      },
      { timeoutMs: 5000, description: 'the LISTEN session' },
    );
    assert.match(session?.query ?? '', /^LISTEN bank_projection_advanced/);
    const advancedAt = performance.now();
    await advanceWatermark(schema.pool, 'watermark:0', 50n);
    assert.equal(await waited, true);
    const afterNotify = performance.now() - advancedAt;
    assert.ok(afterNotify < 250, `answered ${afterNotify.toFixed(0)} ms after the NOTIFY`);
    await waitFor(async () => (await sessions()).length === 0, {
      timeoutMs: 5000,
      description: 'the LISTEN session closed after the wait',
    });
    assert.equal(watcher.listening, false);
  });

  it('still wakes a wait that begins after the session closed', async () => {
    const waited = watcher.waitFor(60n, 5000);
    await waitFor(() => watcher.listening, { timeoutMs: 5000, description: 'listening again' });
    await advanceWatermark(schema.pool, 'watermark:0', 60n);
    assert.equal(await waited, true);
  });
});
