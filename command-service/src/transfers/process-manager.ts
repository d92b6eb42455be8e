import {
  accountStream,
  decideAccount,
  decideTransfer,
  decideTransferSteps,
  hasTransferLeg,
  nextTransferStep,
  transferStream,
  transferLegOutcome,
  type AccountCommand,
  type AccountState,
  type ActiveTransferState,
  type Actor,
  type TransferCommand,
  type TransferLegKind,
} from '@bank/domain';
import type { Logger } from '@bank/platform';
import { accountKind } from '../accounts/account-stream.js';
import type { Clock, CommandContext } from '../infrastructure/command-context.js';
import type { CommandHandler, Outcome } from '../infrastructure/command-handler.js';
import { KeyedMutex } from '../infrastructure/keyed-mutex.js';
import { transferKind } from './transfer-stream.js';

/** Test seam: called right after an account leg of a transfer was appended (crash tests). */
export interface TransferHooks {
  afterLeg?(leg: TransferLegKind, transferId: string): void;
}

/** Who and what started the transfer, carried onto every step's events. */
export interface TransferOrigin {
  readonly correlationId: string;
  readonly actor: Actor;
  readonly logger: Logger;
}

export interface DriveResult {
  readonly state: ActiveTransferState;
  /** Highest global position seen or appended for this transfer: the consistency token. */
  readonly position: bigint;
  /** Steps that appended something in this drive (0 when the transfer was already finished). */
  readonly stepsTaken: number;
}

/**
 * Drives a transfer to completed or failed, one step at a time, from whatever state its stream
 * shows. Every step is idempotent: account legs carry command ids derived from the transfer id
 * (`<transfer>:debit`, ...) and the account decider ignores a leg already applied, while the
 * transfer decider only moves forward. So running `drive` again after a crash, or twice at once,
 * finishes the transfer with each leg applied exactly once.
 *
 * Steps ignore the caller's deadline on purpose: once money has left the source, stopping
 * half-way only delays the transfer until the recovery worker picks it up.
 */
export class TransferProcessManager {
  /** One drive per transfer at a time in this process; other instances are kept apart by the step ids. */
  private readonly drives = new KeyedMutex();

  constructor(
    private readonly deps: {
      readonly handler: CommandHandler;
      readonly clock: Clock;
      readonly hooks?: TransferHooks;
    },
  ) {}

  drive(transferId: string, origin: TransferOrigin): Promise<DriveResult> {
    return this.drives.run(transferId, () => this.run(transferId, origin));
  }

  private async run(transferId: string, origin: TransferOrigin): Promise<DriveResult> {
    const { handler, clock, hooks } = this.deps;
    const streamId = transferStream(transferId);
    // The cached stream will do: every step decided on it is either an account leg (recorded
    // per transfer, so a repeat is a replay) or the final append, checked at its revision.
    const loaded = await handler.read(streamId, transferKind, { cachedIsEnough: true });
    if (loaded.state.status === 'none') throw new Error(`transfer ${transferId} does not exist`);
    let state: ActiveTransferState = loaded.state;
    let position = loaded.position;
    let causationId = loaded.lastEventId ?? transferId;
    let stepsTaken = 0;

    const contextFor = (step: string): CommandContext => ({
      command: `transfer:${step}`,
      commandId: `${transferId}:${step}`,
      correlationId: origin.correlationId,
      causationId,
      actor: origin.actor,
      occurredAt: clock().toISOString(),
      deadline: undefined,
      logger: origin.logger,
    });
    const note = <S>(outcome: Outcome<S>): void => {
      if (!outcome.ok) return;
      if (outcome.position > position) position = outcome.position;
      if (outcome.lastEventId) causationId = outcome.lastEventId;
      if (!outcome.replayed) stepsTaken += 1;
    };
    const leg = async (kind: TransferLegKind, accountId: string, command: AccountCommand) => {
      const outcome = await handler.handle(
        accountStream(accountId),
        accountKind,
        (account) => decideAccount(command, account),
        contextFor(kind),
      );
      note(outcome);
      if (outcome.ok) hooks?.afterLeg?.(kind, transferId);
      return outcome;
    };
    // Steps decided in memory but not yet on the transfer stream. They are appended together
    // when the transfer reaches its end (one append instead of one per step). A crash before that
    // loses nothing: the legs are on the accounts, and the next drive repeats them as replays.
    const unrecorded: Array<{ step: string; command: TransferCommand }> = [];
    const record = (step: string, command: TransferCommand): void => {
      const decision = decideTransfer(command, state);
      if (!decision.ok) {
        throw new Error(`transfer ${transferId}: ${step} refused: ${decision.rejection.code}`);
      }
      for (const event of decision.events) {
        const next = transferKind.evolve(state, event);
        if (next.status === 'none') throw new Error(`transfer ${transferId} vanished`);
        state = next;
      }
      unrecorded.push({ step, command });
    };
    const flush = async (): Promise<void> => {
      if (unrecorded.length === 0) return;
      const steps = unrecorded.splice(0);
      const outcome = await handler.handle(
        streamId,
        transferKind,
        (current) =>
          decideTransferSteps(
            steps.map((s) => s.command),
            current,
          ),
        // The same steps from the same state give the same command id on every driver, so a
        // second driver racing this one gets a replay.
        contextFor(steps.map((s) => s.step).join('+')),
      );
      if (!outcome.ok) {
        // Only a second driver that took a different branch can get here: never expected. The
        // recovery worker drives the transfer again from what its stream shows.
        throw new Error(`transfer ${transferId}: recording refused: ${outcome.rejection.code}`);
      }
      note(outcome);
      if (outcome.state.status === 'none') throw new Error(`transfer ${transferId} vanished`);
      state = outcome.state;
    };
    const refund = async (reason: string): Promise<void> => {
      const refunded = await leg('refund', state.fromAccountId, {
        type: 'RefundTransfer',
        data: { transferId, counterpartyAccountId: state.toAccountId, amount: state.amount },
      });
      if (!refunded.ok) {
        throw new Error(`transfer ${transferId}: refund refused: ${refunded.rejection.code}`);
      }
      record('source-refunded', { type: 'RecordSourceRefunded', data: { reason } });
    };

    for (;;) {
      const step = nextTransferStep(state, await this.sourceLegs(state));
      switch (step.kind) {
        case 'done':
          await flush();
          return { state, position, stepsTaken };
        case 'debit-source': {
          const debited = await leg('debit', state.fromAccountId, {
            type: 'DebitForTransfer',
            data: { transferId, counterpartyAccountId: state.toAccountId, amount: state.amount },
          });
          const outcome = legOutcome(debited, 'debit', transferId);
          if (outcome.kind === 'applied') {
            record('source-debited', { type: 'RecordSourceDebited', data: {} });
          } else {
            record('failed', { type: 'FailTransfer', data: { reason: outcome.reason } });
          }
          break;
        }
        case 'credit-destination': {
          const credited = await leg('credit', state.toAccountId, {
            type: 'CreditForTransfer',
            data: { transferId, counterpartyAccountId: state.fromAccountId, amount: state.amount },
          });
          const outcome = legOutcome(credited, 'credit', transferId);
          if (outcome.kind === 'applied') {
            record('destination-credited', { type: 'RecordDestinationCredited', data: {} });
          } else {
            await refund(outcome.reason);
          }
          break;
        }
        case 'refund-source':
          await refund(step.reason);
          break;
        case 'complete':
          record('completed', { type: 'CompleteTransfer', data: {} });
          break;
        case 'fail':
          record('failed', { type: 'FailTransfer', data: { reason: step.reason } });
          break;
        default: {
          const _exhaustive: never = step;
          throw new Error(`unknown transfer step ${JSON.stringify(_exhaustive)}`);
        }
      }
    }
  }

  /** In `source_debited` the source must be asked whether a refund already landed (see nextTransferStep). */
  private async sourceLegs(state: ActiveTransferState): Promise<{ refunded: boolean } | undefined> {
    if (state.status !== 'source_debited') return undefined;
    const source = await this.deps.handler.read(accountStream(state.fromAccountId), accountKind, {
      cachedIsEnough: true,
    });
    return { refunded: hasTransferLeg(source.state, 'refund', state.transferId) };
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
