import * as accounts from './accounts.js';
import * as holds from './holds.js';
import type { Operation } from './operation.js';
import * as transfers from './transfers.js';

export { registerOperations, type Operation } from './operation.js';

/** Every operation of the public API: one declaration each (see operation.ts). */
export const OPERATIONS: readonly Operation[] = [
  accounts.openAccount,
  accounts.listAccounts,
  accounts.getAccount,
  accounts.listTransactions,
  holds.listHolds,
  holds.getHold,
  accounts.getStatement,
  accounts.deposit,
  accounts.withdraw,
  holds.placeHold,
  holds.captureHold,
  holds.releaseHold,
  accounts.freezeAccount,
  accounts.unfreezeAccount,
  accounts.closeAccount,
  accounts.changeOverdraftLimit,
  transfers.requestTransfer,
  transfers.requestTransferBatch,
  transfers.reverseTransfer,
  transfers.getTransferBatch,
  transfers.getTransfer,
];
