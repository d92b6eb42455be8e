import type { EventStore } from '@bank/event-store';
import {
  COMMAND_ACCESS,
  unary,
  type Access,
  type CallerAuthenticator,
  type Logger,
} from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import {
  captureHold,
  changeOverdraftLimit,
  closeAccount,
  deposit,
  freezeAccount,
  placeHold,
  releaseHold,
  unfreezeAccount,
  withdraw,
} from './accounts/account-rpcs.js';
import { openAccount } from './accounts/open-account.js';
import type { Clock } from './infrastructure/command-context.js';
import type { CommandHandler } from './infrastructure/command-handler.js';
import type { CommandMetrics } from './metrics.js';
import type { TransferProcessManager } from './transfers/process-manager.js';
import { requestTransfer } from './transfers/request-transfer.js';
import { requestTransferBatch } from './transfers/transfer-batch.js';
import { reverseTransfer } from './transfers/reverse-transfer.js';

export interface ServiceDeps {
  readonly handler: CommandHandler;
  readonly store: EventStore;
  readonly clock: Clock;
  readonly processManager: TransferProcessManager;
  readonly metrics: CommandMetrics;
  readonly logger: Logger;
  /** Every call's bearer token verified, its actor taken from it. */
  readonly authenticator: CallerAuthenticator;
}

// Every RPC has its access rule: a compile error names the one that lacks it.
COMMAND_ACCESS satisfies Record<keyof commandTypes.CommandServiceHandlers, Access>;

/**
 * The CommandService implementation: one unary handler per RPC, with caller authentication,
 * logging, metrics and error mapping.
 */
export function commandServiceHandlers(deps: ServiceDeps): commandTypes.CommandServiceHandlers {
  const options = {
    logger: deps.logger,
    authenticate: deps.authenticator,
    observe: (command: string, outcome: string, seconds: number) =>
      deps.metrics.commandDuration.observe({ command, outcome }, seconds),
  };
  return {
    OpenAccount: unary('OpenAccount', openAccount(deps), options),
    Deposit: unary('Deposit', deposit(deps), options),
    Withdraw: unary('Withdraw', withdraw(deps), options),
    PlaceHold: unary('PlaceHold', placeHold(deps), options),
    CaptureHold: unary('CaptureHold', captureHold(deps), options),
    ReleaseHold: unary('ReleaseHold', releaseHold(deps), options),
    FreezeAccount: unary('FreezeAccount', freezeAccount(deps), options),
    UnfreezeAccount: unary('UnfreezeAccount', unfreezeAccount(deps), options),
    ChangeOverdraftLimit: unary('ChangeOverdraftLimit', changeOverdraftLimit(deps), options),
    CloseAccount: unary('CloseAccount', closeAccount(deps), options),
    RequestTransfer: unary('RequestTransfer', requestTransfer(deps), options),
    RequestTransferBatch: unary('RequestTransferBatch', requestTransferBatch(deps), options),
    ReverseTransfer: unary('ReverseTransfer', reverseTransfer(deps), options),
  };
}
