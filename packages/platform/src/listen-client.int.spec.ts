import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ListenClient, type ListenFailurePhase } from './listen-client.js';

const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = randomBytes(4).toString('hex');

/** Resolves with the first truthy value of `probe`, polled every 10 ms. */
async function until<T>(probe: () => T | Promise<T>, description: string): Promise<NonNullable<T>> {
  const giveUpAt = Date.now() + 10_000;
  while (Date.now() < giveUpAt) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting for ${description}`);
}

/** A client on its own channel, named so that its backend can be found in pg_stat_activity. */
function observed(name: string, reconnectMs: number) {
  const applicationName = `bank_listen_${suffix}_${name}`;
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', applicationName);
  const events = {
    payloads: [] as Array<string | undefined>,
    listening: 0,
    errors: [] as ListenFailurePhase[],
  };
  const client = new ListenClient({
    connection: url.toString(),
    channel: applicationName,
    onNotification: (payload) => events.payloads.push(payload),
    onListening: () => events.listening++,
    onError: (_error, phase) => events.errors.push(phase),
    reconnectMs,
  });
  return { client, events, channel: applicationName };
}

describe('ListenClient against PostgreSQL', { timeout: 60_000 }, () => {
  let admin: pg.Client;
  const started: ListenClient[] = [];

  /** The pids of the sessions whose application name is `channel`. */
  const backends = async (channel: string): Promise<number[]> =>
    (
      await admin.query<{ pid: number }>(
        'select pid from pg_stat_activity where application_name = $1',
        [channel],
      )
    ).rows.map((row) => row.pid);
  const notify = (channel: string, payload: string) =>
    admin.query('select pg_notify($1, $2)', [channel, payload]);

  before(async () => {
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
  });
  after(async () => {
    for (const client of started) await client.stop();
    await admin.end();
  });

  it('listens on the channel and signals the first LISTEN as a resync', async () => {
    const { client, events, channel } = observed('first', 50);
    started.push(client);
    await client.start();
    assert.equal(client.listening, true);
    assert.equal(events.listening, 1);
    await notify(channel, 'one');
    await until(() => events.payloads.length === 1, 'the notification');
    assert.deepEqual(events.payloads, ['one']);
  });

  it('reconnects after its backend is terminated and signals the missed notifications', async () => {
    const { client, events, channel } = observed('terminated', 50);
    started.push(client);
    await client.start();
    const [pid] = await backends(channel);
    assert.ok(pid !== undefined, 'the LISTEN session is visible');

    await admin.query('select pg_terminate_backend($1)', [pid]);
    await until(() => !client.listening, 'the dropped session');
    // What is sent while no session listens is lost; the second onListening says so.
    await until(() => events.listening === 2, 'the resync after reconnecting');
    assert.deepEqual(events.errors, ['session']);
    assert.equal(client.listening, true);
    const [newPid] = await backends(channel);
    assert.ok(newPid !== undefined && newPid !== pid, 'a new backend listens');

    await notify(channel, 'after');
    await until(() => events.payloads.includes('after'), 'a notification after reconnecting');
  });

  it('retries a connection that cannot be opened', async () => {
    const url = new URL(databaseUrl);
    url.pathname = `/bank_listen_missing_${suffix}`;
    const errors: ListenFailurePhase[] = [];
    const client = new ListenClient({
      connection: url.toString(),
      channel: 'bank_listen_missing',
      onNotification: () => undefined,
      onListening: () => assert.fail('never listens'),
      onError: (_error, phase) => errors.push(phase),
      reconnectMs: 20,
    });
    started.push(client);
    await client.start();
    assert.equal(client.listening, false);
    await until(() => errors.length >= 2, 'a second attempt');
    assert.ok(errors.every((phase) => phase === 'connect'));
    await client.stop();
  });

  it('stops cleanly: the session ends and a pending retry is cancelled', async () => {
    const { client, events, channel } = observed('stopped', 200);
    await client.start();
    const [pid] = await backends(channel);
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await until(() => events.errors.length === 1, 'the dropped session');

    await client.stop();
    assert.equal(client.listening, false);
    // Only time shows that nothing reconnects: twice the retry pause passes without a session.
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(await backends(channel), []);
    assert.equal(events.listening, 1);

    // Stopped, it can be started again, and stopping it leaves no backend behind.
    await client.start();
    assert.equal(events.listening, 2);
    await client.stop();
    await until(async () => (await backends(channel)).length === 0, 'the session to end');
  });
});
