import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  availableBalance,
  decideAccount,
  evolveAccount,
  hasTransferLeg,
  initialAccountState,
  transferLegOutcome,
  type AccountCommand,
  type AccountState,
} from './account.js';
import type { Decision } from './decision.js';
import type { AccountEvent, TransferEvent } from './events.js';
import type { Currency } from './money.js';
import {
  decideTransfer,
  evolveTransfer,
  foldTransfer,
  initialTransferState,
  nextTransferStep,
  type TransferCommand,
  type TransferState,
} from './transfer.js';
import { stringify } from './testing/decider-spec.js';

const BASE_MS = Date.UTC(2025, 0, 1);
/** An instant a few minutes after BASE, written with or without milliseconds. */
const instantArb = fc
  .tuple(fc.integer({ min: 0, max: 120 }), fc.boolean())
  .map(([minutes, short]) => {
    const iso = new Date(BASE_MS + minutes * 60_000).toISOString();
    return short ? iso.replace('.000Z', 'Z') : iso;
  });
const amountArb = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt({ min: 1n, max: 500n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -5n, max: 0n }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(100n, 250n, 1_000_000_000_000_000n, 1_000_000_000_000_001n),
  },
);
const holdIdArb = fc.constantFrom('h1', 'h2', 'h3');
const legArb = fc.record({
  transferId: fc.constantFrom('t1', 't2', 't3'),
  counterpartyAccountId: fc.constant('other'),
  // Few distinct amounts, so that refunds sometimes match their debit and sometimes not.
  amount: fc.constantFrom(100n, 250n, 0n),
});

const accountCommandArb: fc.Arbitrary<AccountCommand> = fc.oneof(
  fc.record({
    type: fc.constant('OpenAccount' as const),
    data: fc.record({
      accountId: fc.constant('acc'),
      ownerId: fc.constant('owner'),
      currency: fc.constant<Currency>('USD'),
      accountType: fc.constantFrom('checking' as const, 'savings' as const),
      overdraftLimit: fc.bigInt({ min: -1n, max: 300n }),
    }),
  }),
  fc.record({ type: fc.constant('Deposit' as const), data: fc.record({ amount: amountArb }) }),
  fc.record({ type: fc.constant('Withdraw' as const), data: fc.record({ amount: amountArb }) }),
  fc.record({
    type: fc.constant('PlaceHold' as const),
    data: fc.record({
      holdId: holdIdArb,
      amount: amountArb,
      expiresAt: fc.option(instantArb),
      now: instantArb,
    }),
  }),
  fc.record({
    type: fc.constant('CaptureHold' as const),
    data: fc.record({ holdId: holdIdArb, amount: fc.option(amountArb), now: instantArb }),
  }),
  fc.record({ type: fc.constant('ReleaseHold' as const), data: fc.record({ holdId: holdIdArb }) }),
  fc.record({
    type: fc.constant('ExpireHold' as const),
    data: fc.record({ holdId: holdIdArb, now: instantArb }),
  }),
  fc.record({
    type: fc.constant('FreezeAccount' as const),
    data: fc.record({ reason: fc.constant('r') }),
  }),
  fc.constant<AccountCommand>({ type: 'UnfreezeAccount', data: {} }),
  fc.record({
    type: fc.constant('ChangeOverdraftLimit' as const),
    data: fc.record({ overdraftLimit: fc.bigInt({ min: -1n, max: 300n }) }),
  }),
  fc.constant<AccountCommand>({ type: 'CloseAccount', data: {} }),
  fc.record({ type: fc.constant('DebitForTransfer' as const), data: legArb }),
  fc.record({ type: fc.constant('CreditForTransfer' as const), data: legArb }),
  fc.record({ type: fc.constant('RefundTransfer' as const), data: legArb }),
);

const DEBITS: ReadonlySet<AccountEvent['type']> = new Set([
  'FundsWithdrawn',
  'HoldPlaced',
  'TransferDebited',
]);

/** All a closed account records: refunds owed to it, and refusals of new transfer legs. */
const CLOSED_ACCOUNT_EVENTS: ReadonlySet<AccountEvent['type']> = new Set([
  'TransferRefunded',
  'TransferDebitDeclined',
  'TransferCreditDeclined',
]);

/** Balance recomputed from the accepted events alone, without evolveAccount. */
function ledgerDelta(event: AccountEvent): bigint {
  switch (event.type) {
    case 'FundsDeposited':
    case 'TransferCredited':
    case 'TransferRefunded':
      return event.data.amount;
    case 'FundsWithdrawn':
    case 'HoldCaptured':
    case 'TransferDebited':
      return -event.data.amount;
    case 'AccountOpened':
    case 'HoldPlaced':
    case 'HoldReleased':
    case 'HoldExpired':
    case 'AccountFrozen':
    case 'AccountUnfrozen':
    case 'OverdraftLimitChanged':
    case 'AccountClosed':
    case 'TransferDebitDeclined':
    case 'TransferCreditDeclined':
      return 0n;
  }
}

describe('account invariants under random command sequences', () => {
  it('available never goes negative by a debit; heldTotal = open holds; closed takes only refunds; money is conserved', () => {
    // Mostly opened first; sometimes not, to exercise commands on a missing account too.
    const openFirst = fc.option(fc.bigInt({ min: 0n, max: 300n }), { freq: 10, nil: undefined });
    fc.assert(
      fc.property(
        openFirst,
        fc.array(accountCommandArb, { maxLength: 60 }),
        (overdraftLimit, rest) => {
          const commands: AccountCommand[] =
            overdraftLimit === undefined
              ? rest
              : [
                  {
                    type: 'OpenAccount',
                    data: {
                      accountId: 'acc',
                      ownerId: 'o',
                      currency: 'USD',
                      accountType: 'checking',
                      overdraftLimit,
                    },
                  },
                  ...rest,
                ];
          let state: AccountState = initialAccountState;
          let ledger = 0n;
          const openHolds = new Map<string, bigint>();
          for (const command of commands) {
            const decision = decideAccount(command, state);
            if (!decision.ok) continue;
            if (state.status === 'closed') {
              for (const event of decision.events) {
                assert.ok(
                  CLOSED_ACCOUNT_EVENTS.has(event.type),
                  `closed account accepted ${stringify(event)}`,
                );
              }
            }
            for (const event of decision.events) {
              state = evolveAccount(state, event);
              assert.ok(state.status !== 'none');
              ledger += ledgerDelta(event);
              if (event.type === 'HoldPlaced') openHolds.set(event.data.holdId, event.data.amount);
              if (
                event.type === 'HoldCaptured' ||
                event.type === 'HoldReleased' ||
                event.type === 'HoldExpired'
              ) {
                assert.equal(
                  openHolds.get(event.data.holdId),
                  event.data.amount + (event.type === 'HoldCaptured' ? event.data.released : 0n),
                );
                openHolds.delete(event.data.holdId);
              }
              if (DEBITS.has(event.type)) {
                assert.ok(
                  availableBalance(state) >= 0n,
                  `available ${availableBalance(state)} after ${stringify(event)}`,
                );
              }
              let held = 0n;
              for (const hold of state.holds.values()) held += hold.amount;
              assert.equal(state.heldTotal, held);
              assert.equal(state.holds.size, openHolds.size);
              assert.equal(state.balance, ledger);
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('every refund gives back exactly one earlier debit of the same transfer', () => {
    fc.assert(
      fc.property(fc.array(accountCommandArb, { maxLength: 60 }), (rest) => {
        const opening: AccountCommand = {
          type: 'OpenAccount',
          data: {
            accountId: 'acc',
            ownerId: 'o',
            currency: 'USD',
            accountType: 'checking',
            overdraftLimit: 300n,
          },
        };
        let state: AccountState = initialAccountState;
        const debited = new Map<string, bigint>();
        const refunded = new Set<string>();
        for (const command of [opening, ...rest]) {
          const decision = decideAccount(command, state);
          if (!decision.ok) continue;
          for (const event of decision.events) {
            if (event.type === 'TransferDebited') {
              assert.ok(!debited.has(event.data.transferId), 'debited twice');
              debited.set(event.data.transferId, event.data.amount);
            }
            if (event.type === 'TransferRefunded') {
              assert.equal(debited.get(event.data.transferId), event.data.amount);
              assert.ok(!refunded.has(event.data.transferId), 'refunded twice');
              refunded.add(event.data.transferId);
            }
            state = evolveAccount(state, event);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Transfers: both deciders in memory, driven by a process manager that may crash between a leg
// and its record, and a recovery worker that finishes what was left.

type World = {
  accounts: Map<string, AccountState>;
  transfers: Map<string, TransferEvent[]>;
  /** Money that entered or left the bank from outside (deposits − withdrawals). */
  external: bigint;
};

type Plan = { from: string; to: string; amount: bigint };

type Action =
  | { kind: 'step'; transfer: number; crash: boolean }
  | { kind: 'account'; accountId: string; command: AccountCommand };

const ACCOUNTS: Record<string, { currency: Currency; deposit: bigint }> = {
  A: { currency: 'USD', deposit: 1_000n },
  B: { currency: 'USD', deposit: 300n },
  C: { currency: 'USD', deposit: 0n },
  D: { currency: 'EUR', deposit: 500n },
};
/** D (EUR) is rare: most transfers should pass the currency check and move money. */
const accountIdArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('A', 'B', 'C') },
  { weight: 1, arbitrary: fc.constant('D') },
);

function applyAccount(
  world: World,
  accountId: string,
  command: AccountCommand,
): ReturnType<typeof decideAccount> {
  const state = world.accounts.get(accountId) ?? initialAccountState;
  const decision = decideAccount(command, state);
  if (decision.ok) {
    world.accounts.set(accountId, decision.events.reduce(evolveAccount, state));
    for (const event of decision.events) {
      if (event.type === 'FundsDeposited') world.external += event.data.amount;
      if (event.type === 'FundsWithdrawn') world.external -= event.data.amount;
    }
  }
  return decision;
}

function recordTransfer(world: World, transferId: string, command: TransferCommand): boolean {
  const events = world.transfers.get(transferId) ?? [];
  const decision = decideTransfer(command, events.reduce(evolveTransfer, initialTransferState));
  if (!decision.ok) return false;
  world.transfers.set(transferId, [...events, ...decision.events]);
  return true;
}

function newWorld(): World {
  const world: World = { accounts: new Map(), transfers: new Map(), external: 0n };
  for (const [accountId, { currency, deposit }] of Object.entries(ACCOUNTS)) {
    applyAccount(world, accountId, {
      type: 'OpenAccount',
      data: { accountId, ownerId: 'o', currency, accountType: 'checking', overdraftLimit: 0n },
    });
    if (deposit > 0n)
      applyAccount(world, accountId, { type: 'Deposit', data: { amount: deposit } });
  }
  return world;
}

const currencyOf = (world: World, accountId: string): Currency => {
  const state = world.accounts.get(accountId);
  assert.ok(state && state.status !== 'none');
  return state.currency;
};

/**
 * One step of the process manager for one transfer. With `crash`, it stops after the account
 * leg landed and before the transfer stream records it, as a process killed there would.
 * Returns false when the transfer has nothing left to do.
 */
function stepTransfer(world: World, transferId: string, plan: Plan, crash: boolean): boolean {
  const state: TransferState = foldTransfer(world.transfers.get(transferId) ?? []);
  if (state.status === 'none') {
    if (world.transfers.has(transferId)) return false; // the request was rejected
    const accepted = recordTransfer(world, transferId, {
      type: 'RequestTransfer',
      data: {
        transferId,
        fromAccountId: plan.from,
        toAccountId: plan.to,
        amount: plan.amount,
        reference: '',
        fromCurrency: currencyOf(world, plan.from),
        toCurrency: currencyOf(world, plan.to),
      },
    });
    if (!accepted) world.transfers.set(transferId, []);
    return accepted;
  }
  const source = world.accounts.get(state.fromAccountId) ?? initialAccountState;
  const leg = (counterpartyAccountId: string) => ({
    transferId,
    counterpartyAccountId,
    amount: state.amount,
  });
  const step = nextTransferStep(state, { refunded: hasTransferLeg(source, 'refund', transferId) });
  const record = (command: TransferCommand): void => {
    assert.ok(
      recordTransfer(world, transferId, command),
      `${command.type} refused in ${state.status}`,
    );
  };
  switch (step.kind) {
    case 'debit-source': {
      const debit = applyAccount(world, state.fromAccountId, {
        type: 'DebitForTransfer',
        data: leg(state.toAccountId),
      });
      if (crash) return true;
      const outcome = legOutcome(world, debit, state.fromAccountId, 'debit', transferId);
      if (outcome.kind === 'applied') record({ type: 'RecordSourceDebited', data: {} });
      else record({ type: 'FailTransfer', data: { reason: outcome.reason } });
      return true;
    }
    case 'credit-destination': {
      const credit = applyAccount(world, state.toAccountId, {
        type: 'CreditForTransfer',
        data: leg(state.fromAccountId),
      });
      const outcome = legOutcome(world, credit, state.toAccountId, 'credit', transferId);
      if (outcome.kind === 'applied') {
        if (!crash) record({ type: 'RecordDestinationCredited', data: {} });
        return true;
      }
      const refund = applyAccount(world, state.fromAccountId, {
        type: 'RefundTransfer',
        data: leg(state.toAccountId),
      });
      assert.ok(refund.ok, `refund refused: ${stringify(refund)}`);
      if (!crash) record({ type: 'RecordSourceRefunded', data: { reason: outcome.reason } });
      return true;
    }
    case 'refund-source': {
      const refund = applyAccount(world, state.fromAccountId, {
        type: 'RefundTransfer',
        data: leg(state.toAccountId),
      });
      assert.ok(
        refund.ok && refund.events.length === 0,
        'a refund found on recovery had already landed',
      );
      record({ type: 'RecordSourceRefunded', data: { reason: step.reason } });
      return true;
    }
    case 'complete':
      record({ type: 'CompleteTransfer', data: {} });
      return true;
    case 'fail':
      record({ type: 'FailTransfer', data: { reason: step.reason } });
      return true;
    case 'done':
      return false;
  }
}

/** The leg as the account recorded it: applied, or declined with its reason (a refusal counts too). */
function legOutcome(
  world: World,
  decision: Decision<AccountEvent>,
  accountId: string,
  kind: 'debit' | 'credit',
  transferId: string,
): { kind: 'applied' } | { kind: 'declined'; reason: string } {
  if (!decision.ok) return { kind: 'declined', reason: decision.rejection.code };
  const outcome = transferLegOutcome(
    world.accounts.get(accountId) ?? initialAccountState,
    kind,
    transferId,
  );
  if (outcome.kind === 'none') assert.fail(`${kind} of ${transferId} left no decision`);
  return outcome;
}

function totalBalance(world: World): bigint {
  let total = 0n;
  for (const state of world.accounts.values()) if (state.status !== 'none') total += state.balance;
  return total;
}

/** Money a transfer holds between its legs: debited from the source, not yet credited or refunded. */
function inFlight(world: World, plans: readonly Plan[]): bigint {
  let total = 0n;
  plans.forEach((plan, i) => {
    const id = `t${i}`;
    const source = world.accounts.get(plan.from) ?? initialAccountState;
    const destination = world.accounts.get(plan.to) ?? initialAccountState;
    const debited = hasTransferLeg(source, 'debit', id);
    const credited = hasTransferLeg(destination, 'credit', id);
    const refunded = hasTransferLeg(source, 'refund', id);
    assert.ok(!(credited && refunded), `transfer ${id} was both credited and refunded`);
    assert.ok(!(credited || refunded) || debited, `transfer ${id} paid out without a debit`);
    if (debited && !credited && !refunded) total += plan.amount;
  });
  return total;
}

function checkConservation(world: World, plans: readonly Plan[]): void {
  assert.equal(totalBalance(world) + inFlight(world, plans), world.external);
}

function checkFinished(world: World, plans: readonly Plan[]): void {
  assert.equal(inFlight(world, plans), 0n, 'money left in flight');
  assert.equal(totalBalance(world), world.external);
  plans.forEach((plan, i) => {
    const id = `t${i}`;
    const state = foldTransfer(world.transfers.get(id) ?? []);
    if (state.status === 'none') return; // rejected at request: nothing moved
    const source = world.accounts.get(plan.from) ?? initialAccountState;
    const destination = world.accounts.get(plan.to) ?? initialAccountState;
    if (state.status === 'completed') {
      assert.ok(hasTransferLeg(source, 'debit', id) && hasTransferLeg(destination, 'credit', id));
      assert.ok(!hasTransferLeg(source, 'refund', id));
    } else {
      assert.equal(state.status, 'failed', `transfer ${id} ended ${state.status}`);
      assert.ok(!hasTransferLeg(destination, 'credit', id));
      assert.equal(hasTransferLeg(source, 'debit', id), hasTransferLeg(source, 'refund', id));
    }
  });
}

function recover(world: World, plans: readonly Plan[]): void {
  plans.forEach((plan, i) => {
    for (let guard = 0; stepTransfer(world, `t${i}`, plan, false); guard++) {
      assert.ok(guard < 10, `transfer t${i} does not finish`);
    }
  });
}

const planArb: fc.Arbitrary<Plan> = fc.oneof(
  {
    // Mostly transfers that pass the request checks, so that money moves.
    weight: 6,
    arbitrary: fc
      .record({
        pair: fc.constantFrom<[string, string]>(
          ['A', 'B'],
          ['A', 'C'],
          ['B', 'A'],
          ['B', 'C'],
          ['C', 'A'],
          ['C', 'B'],
        ),
        amount: fc.bigInt({ min: 1n, max: 400n }),
      })
      .map(({ pair, amount }) => ({ from: pair[0], to: pair[1], amount })),
  },
  {
    // Now and then anything: same account, other currency, zero amount.
    weight: 1,
    arbitrary: fc.record({
      from: accountIdArb,
      to: accountIdArb,
      amount: fc.bigInt({ min: 0n, max: 700n }),
    }),
  },
);
const actionArb = (transfers: number): fc.Arbitrary<Action> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('step' as const),
        transfer: fc.nat({ max: transfers - 1 }),
        crash: fc.nat({ max: 2 }).map((n) => n === 0),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('account' as const),
        accountId: accountIdArb,
        // Freezing and unfreezing often: a destination that refuses a credit and accepts it again
        // later is what tells a correct recovery from one that pays twice.
        command: fc.oneof(
          {
            weight: 3,
            arbitrary: fc.constant<AccountCommand>({
              type: 'FreezeAccount',
              data: { reason: 'r' },
            }),
          },
          {
            weight: 3,
            arbitrary: fc.constant<AccountCommand>({ type: 'UnfreezeAccount', data: {} }),
          },
          { weight: 1, arbitrary: fc.constant<AccountCommand>({ type: 'CloseAccount', data: {} }) },
          {
            weight: 1,
            arbitrary: fc
              .bigInt({ min: 1n, max: 400n })
              .map((amount): AccountCommand => ({ type: 'Deposit', data: { amount } })),
          },
          {
            weight: 1,
            arbitrary: fc
              .bigInt({ min: 1n, max: 400n })
              .map((amount): AccountCommand => ({ type: 'Withdraw', data: { amount } })),
          },
        ),
      }),
    },
  );

describe('transfer process manager over accounts in memory', () => {
  it('conserves money at every step, and recovery leaves no transfer half-done', () => {
    fc.assert(
      fc.property(
        fc
          .array(planArb, { minLength: 1, maxLength: 3 })
          .chain((plans) =>
            fc.tuple(
              fc.constant(plans),
              fc.array(actionArb(plans.length), { maxLength: 40 }),
              fc.boolean(),
            ),
          ),
        ([plans, actions, unfreezeBeforeRecovery]) => {
          const world = newWorld();
          // A transfer whose worker crashed is left alone until the recovery worker runs.
          const crashed = new Set<number>();
          for (const action of actions) {
            if (action.kind === 'step') {
              const plan = plans[action.transfer];
              assert.ok(plan);
              if (crashed.has(action.transfer)) continue;
              stepTransfer(world, `t${action.transfer}`, plan, action.crash);
              if (action.crash) crashed.add(action.transfer);
            } else {
              applyAccount(world, action.accountId, action.command);
            }
            checkConservation(world, plans);
          }
          if (unfreezeBeforeRecovery) {
            // Operations lift every freeze while the workers are down: destinations that refused a
            // credit before the crash would accept it now.
            for (const accountId of Object.keys(ACCOUNTS)) {
              applyAccount(world, accountId, { type: 'UnfreezeAccount', data: {} });
            }
          }
          recover(world, plans);
          checkFinished(world, plans);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a refund that landed before a crash is recorded on recovery, not followed by a credit', () => {
    const world = newWorld();
    const plan: Plan = { from: 'A', to: 'B', amount: 200n };
    applyAccount(world, 'B', { type: 'FreezeAccount', data: { reason: 'r' } });
    stepTransfer(world, 't0', plan, false); // requested
    stepTransfer(world, 't0', plan, false); // source debited
    stepTransfer(world, 't0', plan, true); // credit refused, refund landed, crash before recording it
    assert.equal(foldTransfer(world.transfers.get('t0') ?? []).status, 'source_debited');
    applyAccount(world, 'B', { type: 'UnfreezeAccount', data: {} }); // the destination would now accept
    recover(world, [plan]);
    const state = foldTransfer(world.transfers.get('t0') ?? []);
    assert.equal(state.status, 'failed');
    assert.ok(!hasTransferLeg(world.accounts.get('B') ?? initialAccountState, 'credit', 't0'));
    checkFinished(world, [plan]);
  });
});
