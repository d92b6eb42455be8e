import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createKnex } from '@bank/platform';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import type { Knex } from 'knex';
import { migrateReadModels } from '../migrations.js';
import * as keysMigration from '../migrations/003_dead_letter_keys.js';
import { recordDeadLetters, type DeadLetter } from './dead-letters.js';

const letter = (overrides: Partial<DeadLetter>): DeadLetter => ({
  source: 'kafka:bank.events/0@7',
  reason: 'decode',
  error: 'not JSON',
  streamId: undefined,
  eventId: undefined,
  eventType: undefined,
  position: undefined,
  revision: undefined,
  payload: 'not json at all',
  ...overrides,
});

describe('dead letters', () => {
  let schema: TestSchema;
  let knex: Knex;

  before(async () => {
    schema = await createTestSchema('dead_letters');
    knex = createKnex({ databaseUrl: schema.url, poolSize: 2 });
    await migrateReadModels(knex);
  });
  after(async () => {
    await knex?.destroy();
    await schema?.drop();
  });

  const rows = async () =>
    (
      await schema.pool.query<{ source: string; event_id: string | null; reason: string }>(
        'SELECT source, event_id, reason FROM projection_dead_letters ORDER BY id',
      )
    ).rows;

  it('records a letter delivered again (after a crash, or in a replay) once', async () => {
    await knex('projection_dead_letters').delete();
    const letters = [
      letter({}),
      letter({ source: 'embedded', eventId: 'e-1', payload: '{"data":{}}', reason: 'invariant' }),
    ];
    await knex.transaction((trx) => recordDeadLetters(trx, letters));
    // The same message again, this time failing for another reason: still the same letter.
    await knex.transaction((trx) =>
      recordDeadLetters(trx, [...letters, letter({ reason: 'failed' })]),
    );
    assert.deepEqual(await rows(), [
      { source: 'kafka:bank.events/0@7', event_id: null, reason: 'decode' },
      { source: 'embedded', event_id: 'e-1', reason: 'invariant' },
    ]);
  });

  it('keeps letters apart by event id, and poison messages by payload', async () => {
    await knex('projection_dead_letters').delete();
    await knex.transaction((trx) =>
      recordDeadLetters(trx, [
        letter({ source: 'embedded', eventId: 'e-1', payload: '{}' }),
        letter({ source: 'embedded', eventId: 'e-2', payload: '{}' }),
        // A recreated topic reuses offsets: another message at the same place is another letter.
        letter({ payload: 'garbage one' }),
        letter({ payload: 'garbage two' }),
      ]),
    );
    assert.equal((await rows()).length, 4);
  });

  it('folds the duplicates an older version recorded into the oldest when it migrates', async () => {
    await knex('projection_dead_letters').delete();
    await keysMigration.down(knex);
    const twice = [letter({ reason: 'decode' }), letter({ reason: 'failed' })];
    await knex.transaction((trx) => recordDeadLetters(trx, twice));
    await knex.transaction((trx) => recordDeadLetters(trx, [letter({ payload: 'other' })]));
    assert.equal((await rows()).length, 3);
    await keysMigration.up(knex);
    assert.deepEqual(await rows(), [
      { source: 'kafka:bank.events/0@7', event_id: null, reason: 'decode' },
      { source: 'kafka:bank.events/0@7', event_id: null, reason: 'decode' },
    ]);
    const { rows: payloads } = await schema.pool.query<{ payload: string }>(
      'SELECT payload FROM projection_dead_letters ORDER BY id',
    );
    assert.deepEqual(
      payloads.map((p) => p.payload),
      ['not json at all', 'other'],
    );
  });
});
