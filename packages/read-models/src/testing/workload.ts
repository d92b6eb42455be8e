import { randomUUID } from 'node:crypto';
import {
  accountStream,
  debitRefusal,
  decideAccount,
  decideReversal,
  decideTransfer,
  encodeEventData,
  evolveAccount,
  evolveTransfer,
  initialAccountState,
  transferLegOutcome,
  initialTransferState,
  transferStream,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
  type BankEvent,
  type BatchMode,
  type TransferCommand,
  type TransferEvent,
  type TransferState,
} from '@bank/domain';

/** One append the workload wants made: events for one stream, in order. */
export interface WorkloadAppend {
  readonly streamId: string;
  /** Revision of the stream's last event before this append; undefined when the stream is new. */
  readonly expectedRevision: bigint | undefined;
  readonly events: ReadonlyArray<{
    readonly eventId: string;
    readonly type: string;
    readonly data: Record<string, unknown>;
    readonly metadata: Record<string, unknown>;
  }>;
}

/**
 * A deterministic generator of realistic bank traffic for tests: it decides real commands with the
 * domain's deciders (so every event sequence is one the command side could write) over a few
 * accounts: deposits, withdrawals, holds placed/captured/released/expired, freezes, overdraft
 * changes, transfers through their whole lifecycle (refunds included), legs of atomic and
 * independent batches, and reversals of completed transfers. A simulated clock moves
 * 7 minutes per step, so the traffic spans several UTC days.
 */
export class BankWorkload {
  private readonly random: () => number;
  private readonly accounts: string[] = [];
  private readonly accountStates = new Map<
    string,
    { state: AccountState; revision: bigint | undefined }
  >();
  private readonly transferStates = new Map<
    string,
    { state: TransferState; revision: bigint | undefined }
  >();
  private clock: number;

  constructor(
    seed: number,
    private readonly accountCount = 6,
    start = Date.parse('2024-03-01T22:00:00Z'),
  ) {
    this.random = mulberry32(seed);
    this.clock = start;
  }

  /** The appends of the next step (one command, or the several steps of a transfer). */
  next(): WorkloadAppend[] {
    this.clock += 7 * 60_000;
    const out: WorkloadAppend[] = [];
    if (this.accounts.length < this.accountCount) {
      const accountId = randomUUID();
      this.accounts.push(accountId);
      this.account(out, accountId, {
        type: 'OpenAccount',
        data: {
          accountId,
          ownerId: `owner-${this.accounts.length % 3}`,
          currency: 'EUR',
          accountType: 'checking',
          overdraftLimit: this.pick([0n, 0n, 5_000n]),
        },
      });
      return out;
    }
    const accountId = this.pick(this.accounts);
    const state = this.accountStates.get(accountId)?.state;
    const holds = state && state.status !== 'none' ? [...state.holds.keys()] : [];
    const roll = this.random();
    const amount = BigInt(1 + Math.floor(this.random() * 20_000));
    const now = new Date(this.clock).toISOString();
    if (roll < 0.3) this.account(out, accountId, { type: 'Deposit', data: { amount } });
    else if (roll < 0.45) this.account(out, accountId, { type: 'Withdraw', data: { amount } });
    else if (roll < 0.55) {
      const expiresAt = this.random() < 0.5 ? null : new Date(this.clock + 60_000).toISOString();
      this.account(out, accountId, {
        type: 'PlaceHold',
        data: { holdId: randomUUID(), amount, expiresAt, now },
      });
    } else if (roll < 0.62 && holds.length > 0) {
      const holdId = this.pick(holds);
      const partial = this.random() < 0.5 ? 1n : null;
      // A hold with an expiry in the past can only expire; try capture, fall back to expire.
      if (
        !this.account(out, accountId, {
          type: 'CaptureHold',
          data: { holdId, amount: partial, now },
        })
      ) {
        this.account(out, accountId, { type: 'ExpireHold', data: { holdId, now } });
      }
    } else if (roll < 0.67 && holds.length > 0) {
      this.account(out, accountId, { type: 'ReleaseHold', data: { holdId: this.pick(holds) } });
    } else if (roll < 0.7) {
      if (state?.status === 'frozen')
        this.account(out, accountId, { type: 'UnfreezeAccount', data: {} });
      else this.account(out, accountId, { type: 'FreezeAccount', data: { reason: 'review' } });
    } else if (roll < 0.72) {
      this.account(out, accountId, {
        type: 'ChangeOverdraftLimit',
        data: { overdraftLimit: this.pick([0n, 10_000n]) },
      });
    } else if (roll > 0.95 && this.reverse(out, amount)) {
      return out;
    } else {
      this.transfer(
        out,
        accountId,
        this.pick(this.accounts.filter((a) => a !== accountId)),
        amount,
      );
    }
    return out;
  }

  /** The batch the next transfers are legs of (a few in a row), or none. */
  private batch:
    { readonly batchId: string; readonly mode: BatchMode; index: number; left: number } | undefined;

  /**
   * A quarter of the transfers start a batch of two to four legs (batchId on each leg), atomic or
   * independent.
   */
  private nextBatchLeg():
    { readonly batchId: string; readonly index: number; readonly mode: BatchMode } | undefined {
    if (!this.batch && this.random() < 0.25) {
      const mode = this.random() < 0.5 ? 'atomic' : 'independent';
      this.batch = {
        batchId: randomUUID(),
        mode,
        index: 0,
        left: 2 + Math.floor(this.random() * 3),
      };
    }
    const batch = this.batch;
    if (!batch) return undefined;
    const leg = { batchId: batch.batchId, index: batch.index, mode: batch.mode };
    batch.index += 1;
    batch.left -= 1;
    if (batch.left === 0) this.batch = undefined;
    return leg;
  }

  private transfer(out: WorkloadAppend[], from: string, to: string, amount: bigint): void {
    const transferId = randomUUID();
    const batch = this.nextBatchLeg();
    const leg = (counterpartyAccountId: string) => ({ transferId, counterpartyAccountId, amount });
    const requested = this.transferStep(out, transferId, {
      type: 'RequestTransfer',
      data: {
        transferId,
        fromAccountId: from,
        toAccountId: to,
        amount,
        reference: `ref ${transferId.slice(0, 8)}`,
        ...(batch === undefined ? {} : { batch }),
        fromCurrency: 'EUR',
        toCurrency: 'EUR',
      },
    });
    if (!requested) return;
    const refusal = debitRefusal(
      this.accountStates.get(from)?.state ?? initialAccountState,
      amount,
    );
    if (batch?.mode === 'independent' && refusal) {
      // A leg its source cannot pay: a failed transfer that touches no account.
      this.transferStep(out, transferId, { type: 'FailTransfer', data: { reason: refusal.code } });
      return;
    }
    this.account(out, from, { type: 'DebitForTransfer', data: leg(to) });
    const debit = this.legOutcome(from, 'debit', transferId);
    if (debit.kind !== 'applied') {
      this.transferStep(out, transferId, {
        type: 'FailTransfer',
        data: { reason: debit.kind === 'declined' ? debit.reason : 'debit refused' },
      });
      return;
    }
    this.transferStep(out, transferId, { type: 'RecordSourceDebited', data: {} });
    this.account(out, to, { type: 'CreditForTransfer', data: leg(from) });
    const credit = this.legOutcome(to, 'credit', transferId);
    if (credit.kind === 'applied') {
      this.transferStep(out, transferId, { type: 'RecordDestinationCredited', data: {} });
      this.transferStep(out, transferId, { type: 'CompleteTransfer', data: {} });
    } else {
      const reason = credit.kind === 'declined' ? credit.reason : 'credit refused';
      this.account(out, from, { type: 'RefundTransfer', data: leg(to) });
      this.transferStep(out, transferId, { type: 'RecordSourceRefunded', data: { reason } });
      this.transferStep(out, transferId, { type: 'FailTransfer', data: { reason } });
    }
  }

  /**
   * Reverses part of a completed transfer (at most what is left) as the command service does: the
   * reversal's timeline, both accounts' legs and TransferReversed on the original. False when no
   * completed transfer can be reversed now.
   */
  private reverse(out: WorkloadAppend[], amount: bigint): boolean {
    const completed = [...this.transferStates].filter(([, e]) => e.state.status === 'completed');
    if (completed.length === 0) return false;
    const [originalId, original] = this.pick(completed);
    if (original.state.status === 'none') return false;
    const { fromAccountId, toAccountId } = original.state;
    const reversalId = randomUUID();
    const decided = decideReversal(
      {
        type: 'ReverseTransfer',
        data: { transferId: originalId, reversalId, reference: 'reversal', amount },
      },
      original.state,
      initialTransferState,
      this.accountStates.get(toAccountId)?.state ?? initialAccountState,
      this.accountStates.get(fromAccountId)?.state ?? initialAccountState,
    );
    if (!decided.ok) return false;
    const { reversal } = decided;
    this.recordTransfer(out, originalId, decided.original);
    this.recordAccount(out, toAccountId, reversal.debit);
    this.recordAccount(out, fromAccountId, reversal.credit);
    this.recordTransfer(out, reversalId, [...reversal.requested, ...reversal.progress]);
    return true;
  }

  /** Appends events decided elsewhere to an account stream and folds them into its state. */
  private recordAccount(
    out: WorkloadAppend[],
    accountId: string,
    events: readonly AccountEvent[],
  ): void {
    const entry = this.accountStates.get(accountId);
    const state = events.reduce(evolveAccount, entry?.state ?? initialAccountState);
    out.push(this.append(accountStream(accountId), entry?.revision, events));
    this.accountStates.set(accountId, {
      state,
      revision: nextRevision(entry?.revision, events.length),
    });
  }

  /** Appends events decided elsewhere to a transfer stream and folds them into its state. */
  private recordTransfer(
    out: WorkloadAppend[],
    transferId: string,
    events: readonly TransferEvent[],
  ): void {
    const entry = this.transferStates.get(transferId);
    const state = events.reduce(evolveTransfer, entry?.state ?? initialTransferState);
    out.push(this.append(transferStream(transferId), entry?.revision, events));
    this.transferStates.set(transferId, {
      state,
      revision: nextRevision(entry?.revision, events.length),
    });
  }

  private legOutcome(accountId: string, kind: 'debit' | 'credit', transferId: string) {
    const state = this.accountStates.get(accountId)?.state ?? initialAccountState;
    return transferLegOutcome(state, kind, transferId);
  }

  private account(out: WorkloadAppend[], accountId: string, command: AccountCommand): boolean {
    const entry = this.accountStates.get(accountId) ?? {
      state: initialAccountState,
      revision: undefined,
    };
    const decision = decideAccount(command, entry.state);
    if (!decision.ok || decision.events.length === 0) return false;
    let state = entry.state;
    for (const event of decision.events) state = evolveAccount(state, event);
    out.push(this.append(accountStream(accountId), entry.revision, decision.events));
    this.accountStates.set(accountId, {
      state,
      revision: nextRevision(entry.revision, decision.events.length),
    });
    return true;
  }

  private transferStep(
    out: WorkloadAppend[],
    transferId: string,
    command: TransferCommand,
  ): boolean {
    const entry = this.transferStates.get(transferId) ?? {
      state: initialTransferState,
      revision: undefined,
    };
    const decision = decideTransfer(command, entry.state);
    if (!decision.ok) return false;
    let state = entry.state;
    for (const event of decision.events) state = evolveTransfer(state, event);
    out.push(this.append(transferStream(transferId), entry.revision, decision.events));
    this.transferStates.set(transferId, {
      state,
      revision: nextRevision(entry.revision, decision.events.length),
    });
    return true;
  }

  private append(
    streamId: string,
    expectedRevision: bigint | undefined,
    events: readonly (AccountEvent | TransferEvent)[],
  ): WorkloadAppend {
    const correlationId = randomUUID();
    return {
      streamId,
      expectedRevision,
      events: events.map((event: BankEvent) =>
        eventToStore(event, {
          occurredAt: new Date(this.clock).toISOString(),
          correlationId,
          actor: { id: 'workload', roles: ['admin'] },
        }),
      ),
    };
  }

  private pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

function nextRevision(revision: bigint | undefined, count: number): bigint {
  return (revision ?? -1n) + BigInt(count);
}

/** A small seeded PRNG, so a failing run can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A domain event as an event store takes it: encoded data and the metadata every event carries. */
export function eventToStore(
  event: BankEvent,
  options: {
    readonly occurredAt: string;
    readonly actor: { readonly id: string; readonly roles: readonly string[] };
    /** Shared by the events of one command; a fresh one by default. */
    readonly correlationId?: string;
  },
): WorkloadAppend['events'][number] {
  const eventId = randomUUID();
  const correlationId = options.correlationId ?? randomUUID();
  return {
    eventId,
    type: event.type,
    data: encodeEventData(event),
    metadata: {
      eventId,
      commandId: randomUUID(),
      correlationId,
      causationId: correlationId,
      actor: { id: options.actor.id, roles: [...options.actor.roles] },
      occurredAt: options.occurredAt,
      schemaVersion: 1,
    },
  };
}

/** A stored event as the read-model tests see it (the shape of the event store's RecordedEvent). */
export interface StoredEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: Date;
}

/** An in-memory event log: gives a workload's appends revisions and positions, as a store would. */
export class MemoryEventLog {
  readonly events: StoredEvent[] = [];
  private readonly revisions = new Map<string, bigint>();

  append(append: WorkloadAppend): StoredEvent[] {
    const added: StoredEvent[] = [];
    for (const event of append.events) {
      const revision = (this.revisions.get(append.streamId) ?? -1n) + 1n;
      this.revisions.set(append.streamId, revision);
      const stored: StoredEvent = {
        streamId: append.streamId,
        revision,
        position: BigInt(this.events.length + 1),
        eventId: event.eventId,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        recordedAt: new Date(),
      };
      this.events.push(stored);
      added.push(stored);
    }
    return added;
  }

  /** Runs `steps` workload steps into the log; returns the events they added. */
  run(workload: BankWorkload, steps: number): StoredEvent[] {
    const added: StoredEvent[] = [];
    for (let i = 0; i < steps; i += 1)
      for (const append of workload.next()) added.push(...this.append(append));
    return added;
  }
}
