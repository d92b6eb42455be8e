import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createTestSchema, waitFor, type TestSchema } from '@bank/testkit';
import { AppendNotifier } from './notifier.js';

describe('AppendNotifier against PostgreSQL', { timeout: 30_000 }, () => {
  let schema: TestSchema;
  let channel: string;
  let notifier: AppendNotifier;
  const errors: unknown[] = [];

  /** The pids of the notifier's sessions (its application name is the channel). */
  const backends = async (): Promise<number[]> =>
    (
      await schema.pool.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [channel],
      )
    ).rows.map((row) => row.pid);

  before(async () => {
    schema = await createTestSchema('notifier');
    channel = schema.name.slice(0, 60);
    const url = new URL(schema.url);
    url.searchParams.set('application_name', channel);
    notifier = new AppendNotifier({ connectionString: url.toString() }, channel, (error) =>
      errors.push(error),
    );
  });
  after(async () => {
    await notifier?.close();
    await schema?.drop();
  });

  it('wakes its listeners after LISTEN and on every NOTIFY', async () => {
    let wakes = 0;
    const remove = notifier.add(() => wakes++);
    await notifier.ensureListening();
    assert.equal(wakes, 1, 'the wake-up once LISTEN is active');
    await schema.pool.query('SELECT pg_notify($1, $2)', [channel, '']);
    await waitFor(() => wakes === 2, { timeoutMs: 5000, description: 'the NOTIFY wake-up' });
    remove();
  });

  it('wakes its listeners again after its connection was terminated', async () => {
    let wakes = 0;
    const remove = notifier.add(() => wakes++);
    const [pid] = await waitFor(
      async () => {
        const found = await backends();
        return found.length > 0 && found;
      },
      { timeoutMs: 5000, description: 'the LISTEN session' },
    );
    await schema.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(
      async () => {
        const found = await backends();
        return found.length === 1 && found[0] !== pid;
      },
      { timeoutMs: 10_000, description: 'a new LISTEN session' },
    );
    await waitFor(() => wakes > 0, { timeoutMs: 5000, description: 'the resync wake-up' });
    assert.equal(errors.length, 1, 'the dropped session is reported');
    remove();
  });

  it('closes its session', async () => {
    await notifier.close();
    await waitFor(async () => (await backends()).length === 0, {
      timeoutMs: 5000,
      description: 'no session left',
    });
  });
});
