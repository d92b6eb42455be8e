import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { accountStream, encodeEventData, type BankEvent } from '@bank/domain';
import type { RecordedEvent } from '@bank/event-store';
import { migrateReadModels } from '@bank/read-models';
import { assertViewsMatch, BankWorkload } from '@bank/read-models/testing';
import { createTestSchema, startProcess, waitFor } from '@bank/testkit';
import knexFactory, { type Knex } from 'knex';
import {
  CLI,
  createOpsFixture,
  runCli,
  viewFingerprint,
  type OpsFixture,
} from './testing/harness.js';
import { seedEvents } from './testing/seed.js';

describe('bank rebuild', () => {
  describe('while the live views serve and the projector writes', () => {
    let fixture: OpsFixture;
    before(async () => {
      fixture = await createOpsFixture('ops_rebuild_live');
      await seedEvents(fixture.store, { accounts: 60, events: 6000 });
      const built = await runCli(['replay', '--to', 'projection'], fixture.env);
      assert.equal(built.code, 0, built.stderr);
    });
    after(() => fixture?.close());

    it('never shows an error or an empty account table, and ends consistent', async () => {
      let stop = false;
      const errors: unknown[] = [];
      let queries = 0;
      let minimum = Number.MAX_SAFE_INTEGER;
      const loop = (async () => {
        while (!stop) {
          try {
            const count = await fixture.schema.pool.query<{ n: string }>(
              'SELECT count(*)::text AS n FROM accounts',
            );
            const rows = await fixture.schema.pool.query(
              'SELECT account_id, balance FROM accounts ORDER BY account_id LIMIT 5',
            );
            minimum = Math.min(
              minimum,
              Number(count.rows[0]?.n ?? 0),
              rows.rowCount === 5 ? Number.MAX_SAFE_INTEGER : 0,
            );
            queries += 1;
          } catch (error) {
            errors.push(error);
          }
        }
      })();
      // The "projector": new events keep arriving and being applied to the live views.
      const projector = (async () => {
        while (!stop) {
          await seedEvents(fixture.store, { accounts: 2, events: 40, chunk: 5 });
          const applied = await runCli(['replay', '--to', 'projection'], fixture.env);
          if (applied.code !== 0) errors.push(new Error(applied.stderr));
        }
      })();

      const rebuilt = await runCli(
        ['rebuild', 'all', '--batch-size', '100', '--json'],
        fixture.env,
      );
      stop = true;
      await Promise.all([loop, projector]);
      assert.equal(rebuilt.code, 0, rebuilt.stderr);
      assert.deepEqual(errors, []);
      assert.ok(queries > 20, `only ${queries} queries ran`);
      assert.ok(minimum >= 60, `a reader saw ${minimum} accounts`);

      // The projector goes on after the swap: redeliveries are no-ops, new events apply.
      const catchUp = await runCli(['replay', '--to', 'projection'], fixture.env);
      assert.equal(catchUp.code, 0, catchUp.stderr);
      const verify = await runCli(['verify', '--settle-ms', '0'], fixture.env);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    });

    it('rebuilds one projection, keeping the other and its stream checkpoints', async () => {
      const before = await viewFingerprint(fixture.db);
      for (const projection of ['transfers', 'accounts']) {
        const rebuilt = await runCli(['rebuild', projection, '--batch-size', '500'], fixture.env);
        assert.equal(rebuilt.code, 0, rebuilt.stderr);
        assert.deepEqual(await viewFingerprint(fixture.db), before);
      }
      const status = await runCli(['status', '--json'], fixture.env);
      const names = (
        JSON.parse(status.stdout) as { checkpoints: Array<{ name: string }> }
      ).checkpoints.map((c) => c.name);
      assert.ok(
        names.includes('rebuild:accounts') &&
          names.includes('rebuild:transfers') &&
          names.includes('rebuild:all'),
      );
    });
  });

  describe('killed mid-way', () => {
    let fixture: OpsFixture;
    before(async () => {
      fixture = await createOpsFixture('ops_rebuild_kill');
      await seedEvents(fixture.store, { accounts: 200, events: 20_000, chunk: 40 });
      const built = await runCli(['replay', '--to', 'projection'], fixture.env);
      assert.equal(built.code, 0, built.stderr);
    });
    after(() => fixture?.close());

    it('resumes from its checkpoint on rerun and ends equal to a clean build', async () => {
      const clean = await viewFingerprint(fixture.db);
      // Where a rerun resumes: the earliest of the parts' checkpoints once every part has one
      // (each part resumes from its own), else the rebuild's own.
      const shadowCheckpoint = async (): Promise<bigint> => {
        const result = await fixture.db.raw<{ rows: Array<{ name: string; position: string }> }>(
          `SELECT name, position::text AS position FROM "${fixture.schema.name}_rebuild".projection_checkpoints
            WHERE name = 'rebuild:all' OR name LIKE 'rebuild:all/part%'`,
        );
        const parts = result.rows.filter((row) => row.name !== 'rebuild:all');
        const rows = parts.length === 2 ? parts : result.rows.filter((row) => !parts.includes(row));
        return (
          rows.reduce(
            (min, row) => {
              const position = BigInt(row.position);
              return min === undefined || position < min ? position : min;
            },
            undefined as bigint | undefined,
          ) ?? 0n
        );
      };
      const child = await startProcess(
        process.execPath,
        [CLI, 'rebuild', 'all', '--batch-size', '200'],
        fixture.env,
        async () => (await shadowCheckpoint()) >= 3000n,
        { timeoutMs: 30_000 },
      );
      await child.kill('SIGKILL');
      const reached = await shadowCheckpoint();
      assert.ok(reached >= 3000n && reached < 20_000n, `killed at ${reached}`);
      // Killed in the bulk phase: each part of the fold stopped at a checkpoint of its own.
      const parts = await fixture.db.raw<{ rows: Array<{ name: string }> }>(
        `SELECT name FROM "${fixture.schema.name}_rebuild".projection_checkpoints
          WHERE name LIKE 'rebuild:all/part%' ORDER BY name`,
      );
      assert.deepEqual(
        parts.rows.map((row) => row.name),
        ['rebuild:all/part1of2', 'rebuild:all/part2of2'],
      );
      // The live views were not touched by the half-done rebuild.
      assert.deepEqual(await viewFingerprint(fixture.db), clean);
      const status = await runCli(['status', '--json'], fixture.env);
      assert.equal(
        (JSON.parse(status.stdout) as { rebuild: { schema: string } | null }).rebuild?.schema,
        `${fixture.schema.name}_rebuild`,
      );

      const rerun = await runCli(['rebuild', 'all', '--batch-size', '200', '--json'], fixture.env);
      assert.equal(rerun.code, 0, rerun.stderr);
      const summary = JSON.parse(rerun.stdout) as {
        resumedFrom: string;
        position: string;
        events: number;
      };
      assert.ok(BigInt(summary.resumedFrom) >= reached, JSON.stringify(summary));
      assert.ok(
        summary.events < 20_000 - 2000,
        `the rerun applied ${summary.events} events: it did not resume`,
      );
      assert.deepEqual(await viewFingerprint(fixture.db), clean);
      await waitFor(
        async () =>
          !(
            await fixture.db.raw<{ rows: unknown[] }>(
              'SELECT 1 FROM pg_namespace WHERE nspname = ?',
              [`${fixture.schema.name}_rebuild`],
            )
          ).rows.length,
        {
          description: 'the shadow schema is dropped',
        },
      );
    });

    it('refuses a second concurrent rebuild with exit 4', async () => {
      const first = await startProcess(
        process.execPath,
        [CLI, 'rebuild', 'all', '--batch-size', '50'],
        fixture.env,
        /building into/,
        { timeoutMs: 30_000 },
      );
      const second = await runCli(['rebuild', 'all'], fixture.env);
      await first.kill('SIGKILL');
      assert.equal(second.code, 4, second.stderr);
      assert.match(second.stderr, /another rebuild/);
    });
  });

  describe('an event a part cannot project', () => {
    let fixture: OpsFixture;
    before(async () => {
      fixture = await createOpsFixture('ops_rebuild_refused');
      await seedEvents(fixture.store, { accounts: 20, events: 2000 });
      const built = await runCli(['replay', '--to', 'projection'], fixture.env);
      assert.equal(built.code, 0, built.stderr);
    });
    after(() => fixture?.close());

    it('stops the rebuild with exit 1, naming the event, and leaves the live views alone', async () => {
      const clean = await viewFingerprint(fixture.db);
      const accountId = '5c2f8f3e-1d7a-4b0e-9e1f-3a9d2c7b6e01';
      await fixture.store.append(
        accountStream(accountId),
        [
          {
            eventId: '5c2f8f3e-1d7a-4b0e-9e1f-000000000001',
            type: 'FundsDeposited',
            data: { accountId },
            metadata: { occurredAt: '2024-03-02T10:00:00.000Z', schemaVersion: 1 },
          },
        ],
        'no_stream',
      );
      const rebuilt = await runCli(['rebuild', 'all', '--batch-size', '300'], fixture.env);
      assert.equal(rebuilt.code, 1, rebuilt.stderr);
      assert.match(rebuilt.stderr, /5c2f8f3e-1d7a-4b0e-9e1f-000000000001.*cannot be projected/);
      assert.deepEqual(await viewFingerprint(fixture.db), clean);
    });
  });

  describe('bulk path (rows cached between pages, COPY, indexes built after the load)', () => {
    let fixture: OpsFixture;
    const workload = new BankWorkload(2024, 12);
    before(async () => {
      fixture = await createOpsFixture('ops_rebuild_bulk');
      for (let step = 0; step < 400; step += 1) {
        for (const append of workload.next()) {
          await fixture.store.append(
            append.streamId,
            append.events,
            append.expectedRevision ?? 'no_stream',
          );
        }
      }
      // Text COPY must carry tabs, newlines and backslashes through unchanged.
      const accountId = '0b7a51e2-4c43-4a8e-9d54-2f6c1b0f3e11';
      const events: BankEvent[] = [
        {
          type: 'AccountOpened',
          data: {
            accountId,
            ownerId: 'tab\there\nnew\\line\r',
            currency: 'EUR',
            accountType: 'savings',
            overdraftLimit: 0n,
          },
        },
        { type: 'FundsDeposited', data: { accountId, amount: 12_345n } },
      ];
      await fixture.store.append(
        accountStream(accountId),
        events.map((event, i) => ({
          eventId: `7d1c7c0e-9a4b-4f5e-8c1d-00000000000${i}`,
          type: event.type,
          data: encodeEventData(event),
          metadata: { occurredAt: '2024-03-02T10:00:00.000Z', schemaVersion: 1 },
        })),
        'no_stream',
      );
    });
    after(() => fixture?.close());

    const allEvents = async (): Promise<RecordedEvent[]> => {
      const events: RecordedEvent[] = [];
      for (;;) {
        const page = await fixture.store.readAll({
          after: events.at(-1)?.position ?? 0n,
          maxCount: 5000,
        });
        if (page.length === 0) return events;
        events.push(...page);
      }
    };

    it('builds every view equal to the fold of the events, with a cache smaller than a page', async () => {
      const events = await allEvents();
      const types = new Set(events.map((e) => e.type));
      for (const type of ['HoldCaptured', 'HoldExpired', 'TransferRefunded', 'TransferFailed']) {
        assert.ok(types.has(type), `the workload produced no ${type}`);
      }
      assert.ok(
        events.some((e) => e.type === 'TransferRequested' && 'batchId' in e.data),
        'the workload produced no leg of a transfer batch',
      );
      // Tiny cache and pages: rows are evicted and read back from the shadow all the time.
      const small = await runCli(
        ['rebuild', 'all', '--batch-size', '37', '--cache-rows', '3', '--json'],
        fixture.env,
      );
      assert.equal(small.code, 0, small.stderr);
      await assertViewsMatch(fixture.schema.pool, events);
      const owner = await fixture.db.raw<{ rows: Array<{ owner_id: string }> }>(
        `SELECT owner_id FROM accounts WHERE account_id = '0b7a51e2-4c43-4a8e-9d54-2f6c1b0f3e11'`,
      );
      assert.equal(owner.rows[0]?.owner_id, 'tab\there\nnew\\line\r');
      const built = await viewFingerprint(fixture.db);

      // The defaults (one flush for the whole store), and one projection at a time.
      const whole = await runCli(['rebuild', 'all', '--json'], fixture.env);
      assert.equal(whole.code, 0, whole.stderr);
      assert.deepEqual(await viewFingerprint(fixture.db), built);
      for (const projection of ['accounts', 'transfers']) {
        const one = await runCli(
          ['rebuild', projection, '--batch-size', '100', '--cache-rows', '10'],
          fixture.env,
        );
        assert.equal(one.code, 0, one.stderr);
        assert.deepEqual(await viewFingerprint(fixture.db), built);
      }
    });

    it('swaps in tables with every index and constraint the migrations define', async () => {
      const rebuilt = await runCli(['rebuild', 'all', '--batch-size', '500'], fixture.env);
      assert.equal(rebuilt.code, 0, rebuilt.stderr);
      const reference = await createTestSchema('ops_rebuild_shape');
      const referenceDb: Knex = knexFactory({ client: 'pg', connection: reference.url });
      try {
        await migrateReadModels(referenceDb);
        assert.deepEqual(
          await tableShape(fixture.db, fixture.schema.name),
          await tableShape(referenceDb, reference.name),
        );
      } finally {
        await referenceDb.destroy();
        await reference.drop();
      }
    });
  });
});

/** Columns, indexes and constraints of the view tables, with the schema name taken out. */
async function tableShape(db: Knex, schema: string): Promise<string[]> {
  const result = await db.raw<{ rows: Array<{ line: string }> }>(
    `SELECT format('column %s.%s %s %s %s', c.table_name, c.column_name, c.data_type, c.is_nullable,
                   coalesce(c.column_default, '')) AS line
       FROM information_schema.columns c WHERE c.table_schema = ?
     UNION ALL
     SELECT format('index %s %s', i.indexname, replace(i.indexdef, quote_ident(i.schemaname) || '.', ''))
       FROM pg_indexes i WHERE i.schemaname = ?
     UNION ALL
     SELECT format('constraint %s %s %s', t.relname, con.conname, pg_get_constraintdef(con.oid))
       FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ?
     ORDER BY 1`,
    [schema, schema, schema],
  );
  const lines = result.rows.map((r) => r.line);
  // The event store's own table lives in the fixture's schema too.
  return lines.filter((line) => !/\bevents\b|events_/.test(line));
}
