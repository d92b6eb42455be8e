import type { Decision } from './decision.js';

/**
 * A stream's pure model, after emmett's Decider: `decide` turns a command and the state into
 * events or a rejection, `evolve` folds one event into the state, `initialState` is the state of
 * a stream with no events. The command service runs deciders; the tests run them through
 * `deciderSpec`.
 */
export interface Decider<Command, Event, State> {
  readonly decide: (command: Command, state: State) => Decision<Event>;
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: State;
}
