import type { EventStore } from '@bank/event-store';
import {
  COMMAND_ACCESS,
  unary,
  type Access,
  type CallerAuthenticator,
  type Logger,
  type UnaryHandler,
  type UnaryOptions,
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
import { FirstOutcomes } from './infrastructure/first-outcomes.js';
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
 * logging, metrics, error mapping, and each command's first outcome kept (FirstOutcomes).
 */
export function commandServiceHandlers(deps: ServiceDeps): commandTypes.CommandServiceHandlers {
  const options = {
    logger: deps.logger,
    authenticate: deps.authenticator,
    observe: (command: string, outcome: string, seconds: number) =>
      deps.metrics.commandDuration.observe({ command, outcome }, seconds),
  };
  const outcomes = new FirstOutcomes(deps.store);
  const rpc = <
    Req extends { readonly context: commandTypes.CommandContext__Output | null },
    Res extends { readonly replayed?: boolean },
  >(
    method: string,
    handler: UnaryHandler<Req, Res>,
    rpcOptions: UnaryOptions,
  ) => unary(method, outcomes.of(handler), rpcOptions);
  return {
    OpenAccount: rpc('OpenAccount', openAccount(deps), options),
    Deposit: rpc('Deposit', deposit(deps), options),
    Withdraw: rpc('Withdraw', withdraw(deps), options),
    PlaceHold: rpc('PlaceHold', placeHold(deps), options),
    CaptureHold: rpc('CaptureHold', captureHold(deps), options),
    ReleaseHold: rpc('ReleaseHold', releaseHold(deps), options),
    FreezeAccount: rpc('FreezeAccount', freezeAccount(deps), options),
    UnfreezeAccount: rpc('UnfreezeAccount', unfreezeAccount(deps), options),
    ChangeOverdraftLimit: rpc('ChangeOverdraftLimit', changeOverdraftLimit(deps), options),
    CloseAccount: rpc('CloseAccount', closeAccount(deps), options),
    RequestTransfer: rpc('RequestTransfer', requestTransfer(deps), options),
    RequestTransferBatch: rpc('RequestTransferBatch', requestTransferBatch(deps), options),
    ReverseTransfer: rpc('ReverseTransfer', reverseTransfer(deps), options),
  };
}
