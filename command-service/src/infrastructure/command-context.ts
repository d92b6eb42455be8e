import type { Actor } from '@bank/domain';
import type { CommandOutcomeKey } from '@bank/event-store';
import type { Logger } from '@bank/platform';

/** Where time comes from; injectable so tests can pin occurredAt. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Everything about one command except its payload: who, why, when, and until when. */
export interface CommandContext {
  /** Names the command in metrics and logs (the RPC or process-manager step). */
  readonly command: string;
  /** The idempotency key: the same id on the same stream returns the first result. */
  readonly commandId: string;
  /**
   * Set for a command a client sent: its first result is replayed only to the actor that sent it
   * first. Steps the service runs itself (transfer legs, hold expiry) may be finished by another
   * actor (the recovery worker).
   */
  readonly fromClient?: true;
  /**
   * Set when the client sent the hash of its request: the command's first outcome is recorded
   * (see FirstOutcomes), the acceptance in the same append as its events.
   */
  readonly outcome?: CommandOutcomeKey;
  readonly correlationId: string;
  /** The command id for client commands; the previous event id for process-manager steps. */
  readonly causationId: string;
  readonly actor: Actor;
  /** ISO instant taken once per command, stamped on every event it appends. */
  readonly occurredAt: string;
  /** Absolute deadline of the call, if any: no attempt starts after it. */
  readonly deadline: Date | undefined;
  readonly logger: Logger;
}
