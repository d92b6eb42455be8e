import {
  accountStream,
  decideAccount,
  decideTransfer,
  decideTransferSteps,
  transferLegOutcome,
  transferStream,
  type AccountCommand,
  type AccountState,
  type ActiveTransferState,
  type TransferCommand,
  type TransferLegKind,
  type TransferStep,
} from '@bank/domain';
import { accountKind } from '../accounts/account-stream.js';
import type { Clock, CommandContext } from '../infrastructure/command-context.js';
import type { CommandHandler, Outcome } from '../infrastructure/command-handler.js';
import type { DriveResult, TransferHooks, TransferOrigin } from './process-manager.js';
import { transferKind } from './transfer-stream.js';

export interface DriveDeps {
  readonly handler: CommandHandler;
  readonly clock: Clock;
  readonly hooks?: TransferHooks;
}

/** Where a drive starts: the transfer stream as read. */
export interface DriveStart {
  readonly state: ActiveTransferState;
  readonly position: bigint;
  readonly lastEventId: string | undefined;
}

/** A step the drive takes (every step but `done`, which ends it). */
export type DriveStep = Exclude<TransferStep, { kind: 'done' }>;

/**
 * One drive of one transfer: the state it has reached, the consistency token and causation it
 * carries, and the steps decided but not yet on the transfer stream.
 */
export class TransferDrive {
  private current: ActiveTransferState;
  private position: bigint;
  private causationId: string;
  private stepsTaken = 0;
  /**
   * Steps decided in memory but not yet on the transfer stream. They are appended together
   * when the transfer reaches its end (one append instead of one per step). A crash before that
   * loses nothing: the legs are on the accounts, and the next drive repeats them as replays.
   */
  private readonly unrecorded: Array<{ step: string; command: TransferCommand }> = [];

  constructor(
    private readonly deps: DriveDeps,
    private readonly transferId: string,
    private readonly origin: TransferOrigin,
    start: DriveStart,
  ) {
    this.current = start.state;
    this.position = start.position;
    this.causationId = start.lastEventId ?? transferId;
  }

  get state(): ActiveTransferState {
    return this.current;
  }

  async take(step: DriveStep): Promise<void> {
    switch (step.kind) {
      case 'debit-source':
        return await this.debitSource();
      case 'credit-destination':
        return await this.creditDestination();
      case 'refund-source':
        return await this.refundSource(step.reason);
      case 'complete':
        return this.record('completed', { type: 'CompleteTransfer', data: {} });
      case 'fail':
        return this.record('failed', { type: 'FailTransfer', data: { reason: step.reason } });
      default: {
        const _exhaustive: never = step;
        throw new Error(`unknown transfer step ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  /** Appends the unrecorded steps and answers what the drive reached. */
  async finish(): Promise<DriveResult> {
    await this.flush();
    return { state: this.current, position: this.position, stepsTaken: this.stepsTaken };
  }

  private async debitSource(): Promise<void> {
    const { transferId, current } = this;
    const debited = await this.leg('debit', current.fromAccountId, {
      type: 'DebitForTransfer',
      data: { transferId, counterpartyAccountId: current.toAccountId, amount: current.amount },
    });
    const outcome = legOutcome(debited, 'debit', transferId);
    if (outcome.kind === 'applied') {
      this.record('source-debited', { type: 'RecordSourceDebited', data: {} });
    } else {
      this.record('failed', { type: 'FailTransfer', data: { reason: outcome.reason } });
    }
  }

  private async creditDestination(): Promise<void> {
    const { transferId, current } = this;
    const credited = await this.leg('credit', current.toAccountId, {
      type: 'CreditForTransfer',
      data: { transferId, counterpartyAccountId: current.fromAccountId, amount: current.amount },
    });
    const outcome = legOutcome(credited, 'credit', transferId);
    if (outcome.kind === 'applied') {
      this.record('destination-credited', { type: 'RecordDestinationCredited', data: {} });
    } else {
      await this.refundSource(outcome.reason);
    }
  }

  private async refundSource(reason: string): Promise<void> {
    const { transferId, current } = this;
    const refunded = await this.leg('refund', current.fromAccountId, {
      type: 'RefundTransfer',
      data: { transferId, counterpartyAccountId: current.toAccountId, amount: current.amount },
    });
    if (!refunded.ok) {
      throw new Error(`transfer ${transferId}: refund refused: ${refunded.rejection.code}`);
    }
    this.record('source-refunded', { type: 'RecordSourceRefunded', data: { reason } });
  }

  /** Applies one account leg, at once: the money moves before the transfer stream says so. */
  private async leg(
    kind: TransferLegKind,
    accountId: string,
    command: AccountCommand,
  ): Promise<Outcome<AccountState>> {
    const outcome = await this.deps.handler.handle(
      accountStream(accountId),
      accountKind,
      (account) => decideAccount(command, account),
      this.contextFor(kind),
    );
    this.note(outcome);
    if (outcome.ok) this.deps.hooks?.afterLeg?.(kind, this.transferId);
    return outcome;
  }

  /** Decides a transfer step in memory and queues it for the final append. */
  private record(step: string, command: TransferCommand): void {
    const decision = decideTransfer(command, this.current);
    if (!decision.ok) {
      throw new Error(`transfer ${this.transferId}: ${step} refused: ${decision.rejection.code}`);
    }
    for (const event of decision.events) {
      const next = transferKind.evolve(this.current, event);
      if (next.status === 'none') throw new Error(`transfer ${this.transferId} vanished`);
      this.current = next;
    }
    this.unrecorded.push({ step, command });
  }

  private async flush(): Promise<void> {
    if (this.unrecorded.length === 0) return;
    const steps = this.unrecorded.splice(0);
    const outcome = await this.deps.handler.handle(
      transferStream(this.transferId),
      transferKind,
      (current) =>
        decideTransferSteps(
          steps.map((s) => s.command),
          current,
        ),
      // The same steps from the same state give the same command id on every driver, so a
      // second driver racing this one gets a replay.
      this.contextFor(steps.map((s) => s.step).join('+')),
    );
    if (!outcome.ok) {
      // Only a second driver that took a different branch can get here: never expected. The
      // recovery worker drives the transfer again from what its stream shows.
      throw new Error(`transfer ${this.transferId}: recording refused: ${outcome.rejection.code}`);
    }
    this.note(outcome);
    if (outcome.state.status === 'none') throw new Error(`transfer ${this.transferId} vanished`);
    this.current = outcome.state;
  }

  private contextFor(step: string): CommandContext {
    return {
      command: `transfer:${step}`,
      commandId: `${this.transferId}:${step}`,
      correlationId: this.origin.correlationId,
      causationId: this.causationId,
      actor: this.origin.actor,
      occurredAt: this.deps.clock().toISOString(),
      deadline: undefined,
      logger: this.origin.logger,
    };
  }

  /** Carries an accepted append's position and event id onto the next step. */
  private note<S>(outcome: Outcome<S>): void {
    if (!outcome.ok) return;
    if (outcome.position > this.position) this.position = outcome.position;
    if (outcome.lastEventId) this.causationId = outcome.lastEventId;
    if (!outcome.replayed) this.stepsTaken += 1;
  }
}

/**
 * What an account decided about a debit or credit leg. A refusal is recorded on the account
 * (TransferDebitDeclined / TransferCreditDeclined), so every driver of the transfer, on any
 * instance and after any crash, reads the same decision; only an account that does not exist
 * answers with a plain rejection.
 */
function legOutcome(
  outcome: Outcome<AccountState>,
  kind: 'debit' | 'credit',
  transferId: string,
): { kind: 'applied' } | { kind: 'declined'; reason: string } {
  if (!outcome.ok) return { kind: 'declined', reason: outcome.rejection.code };
  const recorded = transferLegOutcome(outcome.state, kind, transferId);
  if (recorded.kind === 'none') {
    throw new Error(`transfer ${transferId}: the ${kind} leg left no decision on the account`);
  }
  return recorded;
}
