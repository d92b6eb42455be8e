import { randomUUID } from 'node:crypto';

/** A row shaped like an event row: text stream id, uuid, a jsonb payload and metadata. */
export interface EventShapedRow {
  readonly stream_id: string;
  readonly event_id: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

export function eventShapedRow(amount: string): EventShapedRow {
  const eventId = randomUUID();
  return {
    stream_id: `account-${eventId}`,
    event_id: eventId,
    data: { accountId: eventId, amount },
    metadata: {
      eventId,
      commandId: eventId,
      correlationId: eventId,
      causationId: eventId,
      actor: { id: 'bench', roles: ['teller'] },
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}
