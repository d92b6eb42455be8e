import type { BankEvent, Decider } from '@bank/domain';

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

/** A stream kind from its decider and the event types that belong on it. */
export function streamKindOf<S, E extends BankEvent>(
  name: string,
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  eventTypes: readonly E['type'][],
): StreamKind<S, E> {
  const types: ReadonlySet<string> = new Set(eventTypes);
  return {
    name,
    initialState: decider.initialState,
    evolve: decider.evolve,
    accepts: (event): event is E => types.has(event.type),
  };
}
