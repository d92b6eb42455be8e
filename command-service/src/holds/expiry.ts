import { accountStream, decideAccount, type Actor } from '@bank/domain';
import type { EventStore, RecordedEvent } from '@bank/event-store';
import type { Logger } from '@bank/platform';
import { accountKind } from '../accounts/account-stream.js';
import type { Clock } from '../infrastructure/command-context.js';
import type { CommandHandler } from '../infrastructure/command-handler.js';
import { StoreFollower } from '../infrastructure/store-follower.js';
import type { CommandMetrics } from '../metrics.js';

/** Expiries are recorded as the system's doing. */
export const HOLD_EXPIRY_ACTOR: Actor = { id: 'command-service:hold-expiry', roles: ['system'] };

interface OpenHold {
  readonly accountId: string;
  readonly holdId: string;
  readonly expiresAtMs: number;
  readonly correlationId: string;
}

export interface HoldExpiryOptions {
  readonly store: EventStore;
  readonly handler: CommandHandler;
  readonly clock: Clock;
  readonly metrics: CommandMetrics;
  readonly logger: Logger;
  readonly intervalMs: number;
}

/**
 * Releases holds whose `expiresAt` has passed, so that the money they held is available again.
 * It follows the hold events of every account and, each pass, sends ExpireHold for the due ones.
 * The command id is derived from the hold, so several instances expiring the same hold append
 * one HoldExpired; a hold captured or released meanwhile makes the command a harmless refusal.
 */
export class HoldExpiry {
  private readonly open = new Map<string, OpenHold>();
  private readonly follower: StoreFollower;

  constructor(private readonly options: HoldExpiryOptions) {
    this.follower = new StoreFollower({
      store: options.store,
      filter: {
        streamPrefixes: ['account-'],
        eventTypes: ['HoldPlaced', 'HoldCaptured', 'HoldReleased', 'HoldExpired'],
      },
      intervalMs: options.intervalMs,
      logger: options.logger,
      observe: (event) => this.observe(event),
      act: (isStopped) => this.expireDue(isStopped),
    });
  }

  start(): void {
    this.follower.start();
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  /** One pass (tests): returns how many holds it expired. */
  runOnce(): Promise<number> {
    return this.follower.runOnce();
  }

  private async expireDue(isStopped: () => boolean): Promise<number> {
    const now = this.options.clock();
    let expired = 0;
    for (const [key, hold] of [...this.open]) {
      if (isStopped()) break;
      if (hold.expiresAtMs > now.getTime()) continue;
      const logger = this.options.logger.child({
        correlationId: hold.correlationId,
        accountId: hold.accountId,
        holdId: hold.holdId,
      });
      try {
        const outcome = await this.options.handler.handle(
          accountStream(hold.accountId),
          accountKind,
          (account) =>
            decideAccount(
              { type: 'ExpireHold', data: { holdId: hold.holdId, now: now.toISOString() } },
              account,
            ),
          {
            command: 'ExpireHold',
            commandId: `${hold.holdId}:expire`,
            correlationId: hold.correlationId,
            causationId: hold.holdId,
            actor: HOLD_EXPIRY_ACTOR,
            occurredAt: now.toISOString(),
            deadline: undefined,
            logger,
          },
        );
        this.open.delete(key);
        if (outcome.ok && !outcome.replayed) {
          expired += 1;
          this.options.metrics.holdsExpired.inc();
          logger.info('expired a hold');
        }
      } catch (error) {
        logger.error({ err: error }, 'hold expiry failed; will retry');
      }
    }
    return expired;
  }

  private observe(event: RecordedEvent): void {
    const accountId = event.streamId.slice('account-'.length);
    const holdId = event.data['holdId'];
    if (typeof holdId !== 'string') return;
    const key = `${accountId}/${holdId}`;
    if (event.type !== 'HoldPlaced') {
      this.open.delete(key);
      return;
    }
    const expiresAt = event.data['expiresAt'];
    if (typeof expiresAt !== 'string') return;
    const expiresAtMs = Date.parse(expiresAt);
    if (Number.isNaN(expiresAtMs)) return;
    const correlationId = event.metadata['correlationId'];
    this.open.set(key, {
      accountId,
      holdId,
      expiresAtMs,
      correlationId: typeof correlationId === 'string' ? correlationId : holdId,
    });
  }
}
