import {
  accountStream,
  hasTransferLeg,
  nextTransferStep,
  transferStream,
  type ActiveTransferState,
  type Actor,
  type TransferLegKind,
} from '@bank/domain';
import type { Logger } from '@bank/platform';
import { accountKind } from '../accounts/account-stream.js';
import { KeyedMutex } from '../infrastructure/keyed-mutex.js';
import { TransferDrive, type DriveDeps, type DriveStart } from './transfer-drive.js';
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

  constructor(private readonly deps: DriveDeps) {}

  drive(transferId: string, origin: TransferOrigin): Promise<DriveResult> {
    return this.drives.run(transferId, () => this.run(transferId, origin));
  }

  private async run(transferId: string, origin: TransferOrigin): Promise<DriveResult> {
    const drive = new TransferDrive(this.deps, transferId, origin, await this.load(transferId));
    for (;;) {
      const step = nextTransferStep(drive.state, await this.sourceLegs(drive.state));
      if (step.kind === 'done') return await drive.finish();
      await drive.take(step);
    }
  }

  private async load(transferId: string): Promise<DriveStart> {
    // The cached stream will do: every step decided on it is either an account leg (recorded
    // per transfer, so a repeat is a replay) or the final append, checked at its revision.
    const loaded = await this.deps.handler.read(transferStream(transferId), transferKind, {
      cachedIsEnough: true,
    });
    if (loaded.state.status === 'none') throw new Error(`transfer ${transferId} does not exist`);
    return { state: loaded.state, position: loaded.position, lastEventId: loaded.lastEventId };
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
