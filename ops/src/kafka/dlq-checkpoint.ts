import { advanceCheckpoint } from '@bank/read-models';
import { toBigInt } from '@bank/platform/core';
import type { Knex } from 'knex';

/**
 * `bank dlq retry` remembers, per DLQ partition, the next offset it has not re-published yet, in
 * `projection_checkpoints` (name `dlq-retry:<dlq topic>:<partition>`): a second run starts there.
 */
export function dlqCheckpointName(dlqTopic: string, partition: number): string {
  return `dlq-retry:${dlqTopic}:${partition}`;
}

export async function readDlqCheckpoints(db: Knex, dlqTopic: string): Promise<Map<number, bigint>> {
  const prefix = `dlq-retry:${dlqTopic}:`;
  const rows = await db('projection_checkpoints')
    .where('name', 'like', `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    .select('name', db.raw('position::text AS position'));
  const out = new Map<number, bigint>();
  for (const row of rows as Array<{ name: string; position: string }>) {
    out.set(Number(row.name.slice(prefix.length)), toBigInt(row.position));
  }
  return out;
}

export async function saveDlqCheckpoint(
  db: Knex,
  dlqTopic: string,
  partition: number,
  nextOffset: bigint,
): Promise<void> {
  await advanceCheckpoint(db, dlqCheckpointName(dlqTopic, partition), nextOffset);
}
