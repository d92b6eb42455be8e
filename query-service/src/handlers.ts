import { queriesPackage, type queryTypes } from '@bank/proto';
import { unary, type grpc, type UnaryOptions } from '@bank/platform';
import { getAccount } from './accounts/get-account.js';
import { listAccounts } from './accounts/list-accounts.js';
import { getProjectionStatus } from './consistency/get-projection-status.js';
import { getHold } from './holds/get-hold.js';
import { listHolds } from './holds/list-holds.js';
import type { QueryDeps } from './query-deps.js';
import { getStatement } from './statements/get-statement.js';
import { getTransfer } from './transfers/get-transfer.js';
import { getTransferBatch } from './transfers/get-transfer-batch.js';
import { listTransactions } from './transactions/list-transactions.js';

export const QUERY_SERVICE_NAME = 'bank.v1.QueryService';

/**
 * Adds bank.v1.QueryService to a gRPC server: every RPC authenticated (the caller's token
 * verified, its read restriction checked), logged with its correlation id and timed.
 */
export function registerQueryService(
  server: grpc.Server,
  deps: QueryDeps,
  options: UnaryOptions & Required<Pick<UnaryOptions, 'authenticate'>>,
): void {
  const handlers: queryTypes.QueryServiceHandlers = {
    GetAccount: unary('GetAccount', getAccount(deps), options),
    ListAccounts: unary('ListAccounts', listAccounts(deps), options),
    ListTransactions: unary('ListTransactions', listTransactions(deps), options),
    GetTransfer: unary('GetTransfer', getTransfer(deps), options),
    GetTransferBatch: unary('GetTransferBatch', getTransferBatch(deps), options),
    GetStatement: unary('GetStatement', getStatement(deps), options),
    ListHolds: unary('ListHolds', listHolds(deps), options),
    GetHold: unary('GetHold', getHold(deps), options),
    GetProjectionStatus: unary('GetProjectionStatus', getProjectionStatus(deps), options),
  };
  server.addService(queriesPackage().QueryService.service, handlers);
}
