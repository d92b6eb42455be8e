import type { BankEvent } from '@bank/domain';

/** What the command handler needs to know about one kind of stream. */
export interface Aggregate<S, E extends BankEvent> {
  /** Names the stream kind in errors. */
  readonly name: string;
  readonly initial: S;
  evolve(state: S, event: E): S;
  /** Narrows a decoded stored event to this aggregate's events. */
  accepts(event: BankEvent): event is E;
}
