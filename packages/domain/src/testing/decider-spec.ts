import { accountDecider } from '../account.js';
import type { Decider } from '../decider.js';
import type { Decision, RejectionCode } from '../decision.js';
import { transferDecider } from '../transfer.js';

/**
 * given / when / then for deciders, after emmett's DeciderSpecification:
 *
 *   accountSpec.given([opened, deposited]).when(withdraw).then([withdrawn]);
 *   accountSpec.given([opened]).when(withdraw).thenRejects('INSUFFICIENT_FUNDS');
 *
 * Test support, but kept free of node:* like the rest of the domain: a failed expectation
 * throws a `DeciderSpecError` whose message shows expected and actual as bigint-safe JSON.
 */

export type { Decider };
export { accountDecider, transferDecider };

export type DeciderThen<Event, State> = {
  /** The command is accepted with exactly these events (`[]`: accepted, nothing appended). */
  then(expected: readonly Event[]): void;
  /** The command is accepted with no events, as an idempotent repeat is. */
  thenNothing(): void;
  /** The command is rejected with this code. */
  thenRejects(code: RejectionCode): void;
  /** The command is accepted; `check` sees the events and the state they lead to. */
  thenState(check: (state: State, events: readonly Event[]) => void): void;
  /** The decision itself, for assertions the above do not cover. */
  decision(): Decision<Event>;
};

export type DeciderSpec<Command, Event, State> = {
  given(events: readonly Event[]): { when(command: Command): DeciderThen<Event, State> };
};

export class DeciderSpecError extends Error {
  readonly type = 'DeciderSpecError';
}

export function deciderSpec<Command, Event, State>(
  decider: Decider<Command, Event, State>,
): DeciderSpec<Command, Event, State> {
  return {
    given(events) {
      const state = events.reduce(decider.evolve, decider.initialState);
      return {
        when(command) {
          const decide = (): Decision<Event> => decider.decide(command, state);
          const accepted = (): readonly Event[] => {
            const decision = decide();
            if (!decision.ok) {
              throw new DeciderSpecError(
                `expected the command to be accepted, it was rejected: ${stringify(decision.rejection)}\n` +
                  `command: ${stringify(command)}`,
              );
            }
            return decision.events;
          };
          const then = (expected: readonly Event[]): void => {
            const actual = accepted();
            if (!deepEqual(actual, expected)) {
              throw new DeciderSpecError(
                `unexpected events\nexpected: ${stringify(expected)}\nactual:   ${stringify(actual)}`,
              );
            }
          };
          return {
            then,
            thenNothing: () => then([]),
            thenRejects(code) {
              const decision = decide();
              if (decision.ok) {
                throw new DeciderSpecError(
                  `expected rejection ${code}, the command was accepted with ${stringify(decision.events)}`,
                );
              }
              if (decision.rejection.code !== code) {
                throw new DeciderSpecError(
                  `expected rejection ${code}, got ${decision.rejection.code} (${decision.rejection.message})`,
                );
              }
            },
            thenState(check) {
              const events = accepted();
              check(events.reduce(decider.evolve, state), events);
            },
            decision: decide,
          };
        },
      };
    },
  };
}

export const accountSpec = deciderSpec(accountDecider);
export const transferSpec = deciderSpec(transferDecider);

/** JSON that survives bigint (`12n`), Map and Set, for failure messages. */
export function stringify(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (v instanceof Map) return { Map: [...v.entries()] };
      if (v instanceof Set) return { Set: [...v.values()] };
      return v;
    },
    2,
  );
}

/** Structural equality over JSON-like values plus bigint, Map and Set. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || typeof a !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
    return [...a].every(([k, v]) => b.has(k) && deepEqual(v, b.get(k)));
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set) || !(b instanceof Set) || a.size !== b.size) return false;
    return [...a].every((v) => b.has(v));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((k) => Object.hasOwn(right, k) && deepEqual(left[k], right[k]));
}
