import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { BankEvent } from '@bank/domain';
import { createKnex, createLogger } from '@bank/platform';
import {
  migrateReadModels,
  deadLetterStatements,
  toProjectionEvent,
  type ProjectionEvent,
} from '@bank/read-models';
import { eventToStore } from '@bank/read-models/testing';
import { createTestSchema, type TestSchema } from '@bank/testkit';
import type { Knex } from 'knex';
import { ProjectorMetrics } from '../metrics.js';
import { applyBatch, type BatchItem, type BatchOutcome } from './apply-batch.js';

let position = 0n;

/** One account stream's events, revisions from `from`. */
function streamEvents(accountId: string, events: BankEvent[], from = 0n): ProjectionEvent[] {
  return events.map((event, i) => {
    const stored = eventToStore(event, {
      occurredAt: '2025-03-04T10:00:00.000Z',
      actor: { id: 'teller', roles: ['teller'] },
    });
    position += 1n;
    return toProjectionEvent({
      ...stored,
      streamId: `account-${accountId}`,
      revision: from + BigInt(i),
      position,
      recordedAt: new Date(),
    });
  });
}

const opened = (accountId: string): BankEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerId: 'o', currency: 'EUR', accountType: 'checking', overdraftLimit: 0n },
});
const deposited = (accountId: string, amount: bigint): BankEvent => ({
  type: 'FundsDeposited',
  data: { accountId, amount },
});

describe('applyBatch: a stream behind a dead letter', () => {
  let schema: TestSchema;
  let knex: Knex;
  const logger = createLogger({ service: 'projector-test', level: 'silent' });

  before(async () => {
    schema = await createTestSchema('apply_batch');
    knex = createKnex({ databaseUrl: schema.url, poolSize: 4 });
    await migrateReadModels(knex);
  });
  after(async () => {
    await knex?.destroy();
    await schema?.drop();
  });

  const apply = (events: ProjectionEvent[], metrics: ProjectorMetrics) =>
    applyBatch<number>(
      events.map((event): BatchItem<number> => ({ event, source: Number(event.position) })),
      {
        knex,
        logger,
        metrics,
        // Waiting for a missing event this long would outlast the test: it must not wait at all
        // once that event is dead-lettered.
        gapAttempts: 1000,
        retryDelayMs: 1000,
        commit: (outcome: BatchOutcome<number>) =>
          deadLetterStatements(
            outcome.failed.map(({ event, reason, error }) => ({
              source: 'embedded',
              reason,
              error: error.message,
              streamId: event.streamId,
              eventId: event.eventId,
              eventType: event.event.type,
              position: event.position,
              revision: event.revision,
              payload: undefined,
            })),
          ),
      },
    );

  it(
    'gives up on the later events of a broken stream at once, and applies the other streams',
    { timeout: 30_000 },
    async () => {
      const broken = randomUUID();
      const healthy = randomUUID();
      // Revision 1 releases a hold that was never placed: the projection refuses it for good.
      const brokenEvents = [
        ...streamEvents(broken, [opened(broken)]),
        ...streamEvents(
          broken,
          [
            { type: 'HoldReleased', data: { accountId: broken, holdId: randomUUID(), amount: 5n } },
            deposited(broken, 100n),
            deposited(broken, 200n),
          ],
          1n,
        ),
      ];
      const healthyEvents = streamEvents(healthy, [opened(healthy), deposited(healthy, 7n)]);
      const metrics = new ProjectorMetrics();
      const first = await apply([...brokenEvents, ...healthyEvents], metrics);
      assert.deepEqual(
        first.failed.map(({ event, reason }) => [event.revision, reason]),
        [
          [1n, 'invariant'],
          [2n, 'gap'],
          [3n, 'gap'],
        ],
      );
      assert.equal(first.applied, 3); // the broken stream's opening and the healthy stream
      // Later, more of the broken stream: the dead letter in the table says the gap stays.
      const later = await apply(
        [
          ...streamEvents(broken, [deposited(broken, 300n)], 4n),
          ...streamEvents(healthy, [deposited(healthy, 8n)], 2n),
        ],
        metrics,
      );
      assert.deepEqual(
        later.failed.map(({ event, reason }) => [event.revision, reason]),
        [[4n, 'gap']],
      );
      assert.equal(later.applied, 1);
      const { rows } = await schema.pool.query<{ balance: string }>(
        'SELECT balance::text AS balance FROM accounts WHERE account_id = $1',
        [healthy],
      );
      assert.deepEqual(rows, [{ balance: '15' }]);
    },
  );
});
