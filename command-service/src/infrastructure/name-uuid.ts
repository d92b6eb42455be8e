import { nameUuid, tupleUuid } from '@bank/platform';

/**
 * The namespace of the account, hold and transfer ids this service derives from command ids.
 * Fixed forever: changing it would give a retried command another stream than its first attempt.
 */
const ENTITY_NAMESPACE = '0b7d6c0e-5f3a-4c59-9a53-2f1b8d4e6a10';

/** The namespace of event ids; it holds tuple names only. */
const EVENT_NAMESPACE = '6f2c41d7-93b8-4e0a-8d15-c7a9e3b25f68';

/** What a command creates under an id derived from its command id when the request names none. */
export type DerivedEntity =
  'account' | 'hold' | 'transfer' | 'transfer-batch' | 'transfer-reversal';

/**
 * The id of the account, hold or transfer a command creates: the same command id always lands on
 * the same stream, so a retried open or transfer is answered from it. The name is the kind, `/`,
 * and the command id: a tag from a fixed set (none a prefix of another) and exactly one free part,
 * so it decodes one way only. Ids of stored facts keep this form; a new derivation would send a
 * retried command to a second stream.
 */
export const entityIdFor = (kind: DerivedEntity, commandId: string): string =>
  nameUuid(ENTITY_NAMESPACE, `${kind}/${commandId}`);

/** The id of the `index`-th event a command appends to a stream: a second guard (unique event id). */
export const eventIdFor = (commandId: string, streamId: string, index: number): string =>
  tupleUuid(EVENT_NAMESPACE, [commandId, streamId, String(index)]);

/** The namespace of the transfer ids of batch legs; it holds tuple names only. */
const BATCH_LEG_NAMESPACE = '3c5e8a21-7d4b-4f96-b0e2-91a6c4d7f835';

/** The transfer id of a batch's `index`-th leg: a retried batch lands on the same transfers. */
export const batchLegIdFor = (batchId: string, index: number): string =>
  tupleUuid(BATCH_LEG_NAMESPACE, [batchId, String(index)]);
