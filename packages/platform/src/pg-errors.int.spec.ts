import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import knexFactory from 'knex';
import pg from 'pg';
import { pgConstraint, pgDetail, pgErrorCode, pgErrorKind, type PgErrorKind } from './pg-errors.js';

const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = randomBytes(4).toString('hex');
const role = `bank_pg_errors_${suffix}`;
const table = `bank_pg_errors_${suffix}`;

const urlFor = (change: (url: URL) => void): string => {
  const url = new URL(databaseUrl);
  change(url);
  return url.toString();
};

const opened: pg.Client[] = [];
async function connect(url = databaseUrl): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  // A terminated backend also emits 'error' on the client; the query's rejection is the subject.
  client.on('error', () => undefined);
  opened.push(client);
  await client.connect();
  return client;
}

/** The rejection of `work`, which must reject. */
async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

function assertKind(error: unknown, kind: PgErrorKind, code?: string): void {
  if (code !== undefined) assert.equal(pgErrorCode(error), code, String(error));
  assert.equal(pgErrorKind(error), kind, String(error));
}

/** Advisory lock keys no other test takes. */
const lockKey = (n: number): string => String(BigInt(`0x${suffix}`) * 16n + BigInt(n));

const backendPid = async (client: pg.Client): Promise<number> =>
  (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;

/** Waits until backend `pid` is blocked on a lock or asleep in pg_sleep. */
async function waitUntilWaiting(observer: pg.Client, pid: number): Promise<void> {
  const giveUpAt = Date.now() + 10_000;
  while (Date.now() < giveUpAt) {
    const { rows } = await observer.query<{ waiting: boolean }>(
      `select wait_event_type = 'Lock' or wait_event = 'PgSleep' as waiting
         from pg_stat_activity where pid = $1`,
      [pid],
    );
    if (rows[0]?.waiting) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`backend ${pid} never waited`);
}

describe('pgErrorKind on the errors PostgreSQL, pg and knex raise', { timeout: 120_000 }, () => {
  let admin: pg.Client;
  before(async () => {
    admin = await connect();
    await admin.query(`create role ${role} login connection limit 1`);
    await admin.query(`create table ${table} (id int primary key, n int not null)`);
    await admin.query(`insert into ${table} values (1, 0)`);
  });
  after(async () => {
    await admin.query(`drop table if exists ${table}`);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [
      role,
    ]);
    for (const client of opened.filter((c) => c !== admin)) await client.end().catch(() => {});
    await admin.query(`drop role if exists ${role}`);
    await admin.end();
  });

  it('unavailable: too many connections for the role (53300)', async () => {
    const asRole = urlFor((url) => (url.username = role));
    await connect(asRole);
    assertKind(await failureOf(() => connect(asRole)), 'unavailable', '53300');
  });

  it('unavailable: the backend terminated by an administrator (57P01), then the dead client', async () => {
    const victim = await connect();
    const pid = await backendPid(victim);
    const sleeping = failureOf(() => victim.query('select pg_sleep(30)'));
    await waitUntilWaiting(admin, pid);
    await admin.query('select pg_terminate_backend($1)', [pid]);
    assertKind(await sleeping, 'unavailable', '57P01');
    // pg's own errors after the loss carry no code, only the message.
    assertKind(await failureOf(() => victim.query('select 1')), 'unavailable');

    const idle = await connect();
    await admin.query('select pg_terminate_backend($1)', [await backendPid(idle)]);
    const broken = await failureOf(async () => {
      for (;;) await idle.query('select 1');
    });
    assertKind(broken, 'unavailable');
  });

  it('unavailable: nothing listens on the port (ECONNREFUSED)', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    await new Promise((resolve) => server.close(resolve));
    const closed = urlFor((url) => (url.port = String(port)));
    assertKind(await failureOf(() => connect(closed)), 'unavailable', 'ECONNREFUSED');
  });

  it('unavailable: no pooled connection came free in time (pg-pool, knex)', async () => {
    // Long enough for the first connection on a loaded machine; the second waits it out.
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 1,
      connectionTimeoutMillis: 2_000,
    });
    const held = await pool.connect();
    assertKind(await failureOf(() => pool.query('select 1')), 'unavailable');
    held.release();
    await pool.end();

    const knex = knexFactory({
      client: 'pg',
      connection: databaseUrl,
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 2_000,
      log: { error: () => undefined },
    });
    const trx = await knex.transaction();
    assertKind(await failureOf(() => knex.raw('select 1')), 'unavailable');
    await trx.rollback();
    await knex.destroy();
  });

  it('conflict: a serialization failure (40001)', async () => {
    const first = await connect();
    const second = await connect();
    await first.query('begin isolation level repeatable read');
    await first.query(`select n from ${table} where id = 1`);
    await second.query(`update ${table} set n = n + 1 where id = 1`);
    const error = await failureOf(() => first.query(`update ${table} set n = n + 1 where id = 1`));
    await first.query('rollback');
    assertKind(error, 'conflict', '40001');
  });

  it('conflict: a deadlock (40P01)', async () => {
    const first = await connect();
    const second = await connect();
    const firstPid = await backendPid(first);
    await first.query('begin');
    await second.query('begin');
    // The session whose deadlock_timeout runs out first finds the cycle and fails: the second.
    await first.query(`set local deadlock_timeout = '60s'`);
    await second.query(`set local deadlock_timeout = '20ms'`);
    await first.query('select pg_advisory_xact_lock($1)', [lockKey(1)]);
    await second.query('select pg_advisory_xact_lock($1)', [lockKey(2)]);
    const waiting = first.query('select pg_advisory_xact_lock($1)', [lockKey(2)]);
    await waitUntilWaiting(admin, firstPid);
    const error = await failureOf(() =>
      second.query('select pg_advisory_xact_lock($1)', [lockKey(1)]),
    );
    await second.query('rollback');
    await waiting;
    await first.query('rollback');
    assertKind(error, 'conflict', '40P01');
  });

  it('conflict: a lock not granted within lock_timeout (55P03)', async () => {
    const holder = await connect();
    const waiter = await connect();
    await holder.query('begin');
    await holder.query('select pg_advisory_xact_lock($1)', [lockKey(3)]);
    await waiter.query(`set lock_timeout = '20ms'`);
    const error = await failureOf(() => waiter.query('select pg_advisory_lock($1)', [lockKey(3)]));
    await holder.query('rollback');
    assertKind(error, 'conflict', '55P03');
  });

  it('canceled: statement_timeout (57014)', async () => {
    const client = await connect();
    await client.query('set statement_timeout = 20');
    assertKind(await failureOf(() => client.query('select pg_sleep(5)')), 'canceled', '57014');
  });

  it('misconfigured: no such database (3D000), no such role (28000)', async () => {
    const noDatabase = urlFor((url) => (url.pathname = `/${table}_missing`));
    assertKind(await failureOf(() => connect(noDatabase)), 'misconfigured', '3D000');
    const noRole = urlFor((url) => (url.username = `${role}_missing`));
    assertKind(await failureOf(() => connect(noRole)), 'misconfigured', '28000');
  });

  it('unique_violation (23505), with the constraint and the key', async () => {
    const error = await failureOf(() => admin.query(`insert into ${table} values (1, 0)`));
    assertKind(error, 'unique_violation', '23505');
    assert.equal(pgConstraint(error), `${table}_pkey`);
    assert.match(pgDetail(error) ?? '', /\(id\)=\(1\)/);
  });

  it('other: a wrong statement or refused data', async () => {
    assertKind(await failureOf(() => admin.query('selec 1')), 'other', '42601');
    assertKind(await failureOf(() => admin.query('select 1 / 0')), 'other', '22012');
    assertKind(await failureOf(() => admin.query(`select * from ${table}_missing`)), 'other');
  });
});
