import { decodeRecorded, type BankEvent } from '@bank/domain';
import type { EventStore, RecordedEvent } from '@bank/event-store';
import type { StreamKind } from './stream-kind.js';

/** What an earlier command with the same id left behind. */
export interface EarlierResult<S> {
  /** The state right after that command's last event: the first result, replayed. */
  readonly state: S;
  readonly revision: bigint;
  readonly position: bigint;
  readonly eventId: string;
  /** Who sent that command (absent on events written without an actor). */
  readonly actorId: string | undefined;
  /** The events that command appended, in order: what its first answer was made of. */
  readonly events: readonly BankEvent[];
}

export interface LoadedStream<S> {
  readonly state: S;
  /** Revision of the last event; undefined when the stream does not exist. */
  readonly revision: bigint | undefined;
  /** Global position of the last event; 0n when the stream does not exist. */
  readonly position: bigint;
  /** Event id of the last event. */
  readonly lastEventId: string | undefined;
  /** Set when `commandId` appended to this stream before. */
  readonly earlier: EarlierResult<S> | undefined;
}

/**
 * Reads a whole stream and folds it. While folding it watches for events stamped with
 * `commandId` and keeps the state right after the last of them, so a repeated command can be
 * answered with its first result without keeping every intermediate state.
 */
export async function loadStream<S, E extends BankEvent>(
  store: EventStore,
  streamId: string,
  kind: StreamKind<S, E>,
  commandId?: string,
): Promise<LoadedStream<S>> {
  const recorded = await store.readStream(streamId);
  let state = kind.initialState;
  let earlier: EarlierResult<S> | undefined;
  const commandEvents: BankEvent[] = [];
  for (const stored of recorded) {
    const event = decodeStored(stored);
    if (!kind.accepts(event)) {
      throw new Error(`${stored.type} does not belong on ${kind.name} stream ${streamId}`);
    }
    state = kind.evolve(state, event);
    if (commandId !== undefined && stored.metadata['commandId'] === commandId) {
      commandEvents.push(event);
      earlier = {
        state,
        revision: stored.revision,
        position: stored.position,
        eventId: stored.eventId,
        actorId: actorIdOf(stored.metadata),
        events: commandEvents,
      };
    }
  }
  const last = recorded.at(-1);
  return {
    state,
    revision: last?.revision,
    position: last?.position ?? 0n,
    lastEventId: last?.eventId,
    earlier,
  };
}

function actorIdOf(metadata: Readonly<Record<string, unknown>>): string | undefined {
  const actor = metadata['actor'];
  if (actor === null || typeof actor !== 'object') return undefined;
  const id = (actor as Record<string, unknown>)['id'];
  return typeof id === 'string' ? id : undefined;
}

/** Decodes a stored event, upcasting payloads written under an older schema version. */
export function decodeStored(stored: RecordedEvent): BankEvent {
  return decodeRecorded(stored.type, stored.data, stored.metadata);
}
