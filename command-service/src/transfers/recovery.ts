import type { Actor } from '@bank/domain';
import type { EventStore, RecordedEvent } from '@bank/event-store';
import type { Logger } from '@bank/platform';
import { StoreFollower } from '../infrastructure/store-follower.js';
import type { CommandMetrics } from '../metrics.js';
import type { TransferProcessManager } from './process-manager.js';

const TRANSFER_PREFIX = 'transfer-';

/** Recovery steps are recorded as the system's, not as the original caller's. */
export const RECOVERY_ACTOR: Actor = { id: 'command-service:transfer-recovery', roles: ['system'] };

interface OpenTransfer {
  readonly requestedAtMs: number;
  readonly correlationId: string;
}

export interface TransferRecoveryOptions {
  readonly store: EventStore;
  readonly processManager: TransferProcessManager;
  readonly metrics: CommandMetrics;
  readonly logger: Logger;
  /** Pause between passes. */
  readonly intervalMs: number;
  /** Transfers younger than this are left to the request that is still driving them. */
  readonly minAgeMs: number;
  /**
   * Stop following once a pass leaves no transfer unfinished: on a store with the atomic
   * multi-stream append new transfers are finished in the append that records them, so only
   * transfers from before (or from a process manager elsewhere) can need finishing.
   */
  readonly untilDrained?: boolean;
}

/**
 * Finishes transfers a crash left half-done. It follows the global order filtered to transfer
 * streams and keeps the set of transfers that are neither completed nor failed (a scan from the
 * start at boot, then only the new events each pass); every pass drives those older than
 * `minAgeMs` with the same process manager the requests use, so a step that already happened is
 * replayed, never repeated.
 */
export class TransferRecovery {
  private readonly open = new Map<string, OpenTransfer>();
  private readonly follower: StoreFollower;

  constructor(private readonly options: TransferRecoveryOptions) {
    this.follower = new StoreFollower({
      store: options.store,
      filter: { streamPrefixes: [TRANSFER_PREFIX] },
      intervalMs: options.intervalMs,
      logger: options.logger,
      observe: (event) => this.observe(event),
      act: (isStopped) => this.driveDue(isStopped),
      finished: () => options.untilDrained === true && this.open.size === 0,
    });
  }

  /** Runs a first pass now, then one every interval. */
  start(): void {
    this.follower.start();
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  /** Transfers known to be unfinished (for tests and status). */
  get openTransfers(): number {
    return this.open.size;
  }

  /** One pass: catch up with new transfer events, then drive every due transfer. Returns how many it finished. */
  runOnce(): Promise<number> {
    return this.follower.runOnce();
  }

  private async driveDue(isStopped: () => boolean): Promise<number> {
    // Wall time, not the injectable clock: ages are measured against the store's recordedAt.
    const now = Date.now();
    let recovered = 0;
    for (const [transferId, open] of [...this.open]) {
      if (isStopped()) break;
      if (now - open.requestedAtMs < this.options.minAgeMs) continue;
      const logger = this.options.logger.child({ correlationId: open.correlationId, transferId });
      try {
        const result = await this.options.processManager.drive(transferId, {
          correlationId: open.correlationId,
          actor: RECOVERY_ACTOR,
          logger,
        });
        this.open.delete(transferId);
        if (result.stepsTaken > 0) {
          recovered += 1;
          this.options.metrics.transfersRecovered.inc();
          logger.info(
            { status: result.state.status, steps: result.stepsTaken },
            'recovered an unfinished transfer',
          );
        }
      } catch (error) {
        logger.error({ err: error }, 'transfer recovery failed; will retry');
      }
    }
    return recovered;
  }

  private observe(event: RecordedEvent): void {
    const transferId = event.streamId.slice(TRANSFER_PREFIX.length);
    switch (event.type) {
      case 'TransferRequested': {
        const correlationId = event.metadata['correlationId'];
        this.open.set(transferId, {
          requestedAtMs: event.recordedAt.getTime(),
          correlationId: typeof correlationId === 'string' ? correlationId : transferId,
        });
        break;
      }
      case 'TransferCompleted':
      case 'TransferFailed':
        this.open.delete(transferId);
        break;
      default:
        break;
    }
  }
}
