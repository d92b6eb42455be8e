import type { BankEvent } from '@bank/domain';

/**
 * What the command handler needs to know about one kind of stream: its decider's `initialState`
 * and `evolve` (see `Decider` in @bank/domain; each command brings its own decide), a name for
 * errors, and which events belong on it.
 */
export interface StreamKind<S, E extends BankEvent> {
  readonly name: string;
  readonly initialState: S;
  evolve(state: S, event: E): S;
  /** Narrows a decoded stored event to this stream's events. */
  accepts(event: BankEvent): event is E;
}
