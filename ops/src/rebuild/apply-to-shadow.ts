import type { RecordedEvent } from '@bank/event-store';
import { advanceCheckpoint, applyEvents } from '@bank/read-models';
import type { Knex } from 'knex';
import { toProjectionBatch } from '../projection/decode.js';
import { ident } from './projections.js';
import type { ShadowSchema } from './shadow-schema.js';

/**
 * Applies a page of events to the shadow tables inside `trx`, with the rebuild's checkpoint in
 * the same transaction: a crash leaves the shadow at a page boundary, and the rerun goes on from
 * there. The projection code uses unqualified table names, so `SET LOCAL search_path` points it
 * at the shadow schema for this transaction only.
 */
export async function applyToShadow(
  trx: Knex.Transaction,
  schema: ShadowSchema,
  events: readonly RecordedEvent[],
  scannedUpTo: bigint,
): Promise<number> {
  await trx.raw(`SET LOCAL search_path TO ${ident(schema.shadow)}`);
  const result =
    events.length > 0
      ? await applyEvents(trx, toProjectionBatch(events))
      : { applied: 0, lastOccurredAt: undefined };
  await advanceCheckpoint(trx, schema.checkpointName, scannedUpTo, result.lastOccurredAt);
  return result.applied;
}
