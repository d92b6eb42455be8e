// Original file: proto/bank/v1/queries.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Account as _bank_v1_Account, Account__Output as _bank_v1_Account__Output } from '../../bank/v1/Account.js';
import type { GetAccountRequest as _bank_v1_GetAccountRequest, GetAccountRequest__Output as _bank_v1_GetAccountRequest__Output } from '../../bank/v1/GetAccountRequest.js';
import type { GetHoldRequest as _bank_v1_GetHoldRequest, GetHoldRequest__Output as _bank_v1_GetHoldRequest__Output } from '../../bank/v1/GetHoldRequest.js';
import type { GetProjectionStatusRequest as _bank_v1_GetProjectionStatusRequest, GetProjectionStatusRequest__Output as _bank_v1_GetProjectionStatusRequest__Output } from '../../bank/v1/GetProjectionStatusRequest.js';
import type { GetStatementRequest as _bank_v1_GetStatementRequest, GetStatementRequest__Output as _bank_v1_GetStatementRequest__Output } from '../../bank/v1/GetStatementRequest.js';
import type { GetTransferBatchRequest as _bank_v1_GetTransferBatchRequest, GetTransferBatchRequest__Output as _bank_v1_GetTransferBatchRequest__Output } from '../../bank/v1/GetTransferBatchRequest.js';
import type { GetTransferRequest as _bank_v1_GetTransferRequest, GetTransferRequest__Output as _bank_v1_GetTransferRequest__Output } from '../../bank/v1/GetTransferRequest.js';
import type { Hold as _bank_v1_Hold, Hold__Output as _bank_v1_Hold__Output } from '../../bank/v1/Hold.js';
import type { ListAccountsReply as _bank_v1_ListAccountsReply, ListAccountsReply__Output as _bank_v1_ListAccountsReply__Output } from '../../bank/v1/ListAccountsReply.js';
import type { ListAccountsRequest as _bank_v1_ListAccountsRequest, ListAccountsRequest__Output as _bank_v1_ListAccountsRequest__Output } from '../../bank/v1/ListAccountsRequest.js';
import type { ListHoldsReply as _bank_v1_ListHoldsReply, ListHoldsReply__Output as _bank_v1_ListHoldsReply__Output } from '../../bank/v1/ListHoldsReply.js';
import type { ListHoldsRequest as _bank_v1_ListHoldsRequest, ListHoldsRequest__Output as _bank_v1_ListHoldsRequest__Output } from '../../bank/v1/ListHoldsRequest.js';
import type { ListTransactionsReply as _bank_v1_ListTransactionsReply, ListTransactionsReply__Output as _bank_v1_ListTransactionsReply__Output } from '../../bank/v1/ListTransactionsReply.js';
import type { ListTransactionsRequest as _bank_v1_ListTransactionsRequest, ListTransactionsRequest__Output as _bank_v1_ListTransactionsRequest__Output } from '../../bank/v1/ListTransactionsRequest.js';
import type { ProjectionStatus as _bank_v1_ProjectionStatus, ProjectionStatus__Output as _bank_v1_ProjectionStatus__Output } from '../../bank/v1/ProjectionStatus.js';
import type { Statement as _bank_v1_Statement, Statement__Output as _bank_v1_Statement__Output } from '../../bank/v1/Statement.js';
import type { Transfer as _bank_v1_Transfer, Transfer__Output as _bank_v1_Transfer__Output } from '../../bank/v1/Transfer.js';
import type { TransferBatch as _bank_v1_TransferBatch, TransferBatch__Output as _bank_v1_TransferBatch__Output } from '../../bank/v1/TransferBatch.js';

export interface QueryServiceClient extends grpc.Client {
  GetAccount(argument: _bank_v1_GetAccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Account__Output>): grpc.ClientUnaryCall;
  GetAccount(argument: _bank_v1_GetAccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_Account__Output>): grpc.ClientUnaryCall;
  GetAccount(argument: _bank_v1_GetAccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Account__Output>): grpc.ClientUnaryCall;
  GetAccount(argument: _bank_v1_GetAccountRequest, callback: grpc.requestCallback<_bank_v1_Account__Output>): grpc.ClientUnaryCall;
  getAccount(argument: _bank_v1_GetAccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Account__Output>): grpc.ClientUnaryCall;
  getAccount(argument: _bank_v1_GetAccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_Account__Output>): grpc.ClientUnaryCall;
  getAccount(argument: _bank_v1_GetAccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Account__Output>): grpc.ClientUnaryCall;
  getAccount(argument: _bank_v1_GetAccountRequest, callback: grpc.requestCallback<_bank_v1_Account__Output>): grpc.ClientUnaryCall;
  
  GetHold(argument: _bank_v1_GetHoldRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Hold__Output>): grpc.ClientUnaryCall;
  GetHold(argument: _bank_v1_GetHoldRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_Hold__Output>): grpc.ClientUnaryCall;
  GetHold(argument: _bank_v1_GetHoldRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Hold__Output>): grpc.ClientUnaryCall;
  GetHold(argument: _bank_v1_GetHoldRequest, callback: grpc.requestCallback<_bank_v1_Hold__Output>): grpc.ClientUnaryCall;
  getHold(argument: _bank_v1_GetHoldRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Hold__Output>): grpc.ClientUnaryCall;
  getHold(argument: _bank_v1_GetHoldRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_Hold__Output>): grpc.ClientUnaryCall;
  getHold(argument: _bank_v1_GetHoldRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Hold__Output>): grpc.ClientUnaryCall;
  getHold(argument: _bank_v1_GetHoldRequest, callback: grpc.requestCallback<_bank_v1_Hold__Output>): grpc.ClientUnaryCall;
  
  GetProjectionStatus(argument: _bank_v1_GetProjectionStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ProjectionStatus__Output>): grpc.ClientUnaryCall;
  GetProjectionStatus(argument: _bank_v1_GetProjectionStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_ProjectionStatus__Output>): grpc.ClientUnaryCall;
  GetProjectionStatus(argument: _bank_v1_GetProjectionStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ProjectionStatus__Output>): grpc.ClientUnaryCall;
  GetProjectionStatus(argument: _bank_v1_GetProjectionStatusRequest, callback: grpc.requestCallback<_bank_v1_ProjectionStatus__Output>): grpc.ClientUnaryCall;
  getProjectionStatus(argument: _bank_v1_GetProjectionStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ProjectionStatus__Output>): grpc.ClientUnaryCall;
  getProjectionStatus(argument: _bank_v1_GetProjectionStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_ProjectionStatus__Output>): grpc.ClientUnaryCall;
  getProjectionStatus(argument: _bank_v1_GetProjectionStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ProjectionStatus__Output>): grpc.ClientUnaryCall;
  getProjectionStatus(argument: _bank_v1_GetProjectionStatusRequest, callback: grpc.requestCallback<_bank_v1_ProjectionStatus__Output>): grpc.ClientUnaryCall;
  
  GetStatement(argument: _bank_v1_GetStatementRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Statement__Output>): grpc.ClientUnaryCall;
  GetStatement(argument: _bank_v1_GetStatementRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_Statement__Output>): grpc.ClientUnaryCall;
  GetStatement(argument: _bank_v1_GetStatementRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Statement__Output>): grpc.ClientUnaryCall;
  GetStatement(argument: _bank_v1_GetStatementRequest, callback: grpc.requestCallback<_bank_v1_Statement__Output>): grpc.ClientUnaryCall;
  getStatement(argument: _bank_v1_GetStatementRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Statement__Output>): grpc.ClientUnaryCall;
  getStatement(argument: _bank_v1_GetStatementRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_Statement__Output>): grpc.ClientUnaryCall;
  getStatement(argument: _bank_v1_GetStatementRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Statement__Output>): grpc.ClientUnaryCall;
  getStatement(argument: _bank_v1_GetStatementRequest, callback: grpc.requestCallback<_bank_v1_Statement__Output>): grpc.ClientUnaryCall;
  
  GetTransfer(argument: _bank_v1_GetTransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Transfer__Output>): grpc.ClientUnaryCall;
  GetTransfer(argument: _bank_v1_GetTransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_Transfer__Output>): grpc.ClientUnaryCall;
  GetTransfer(argument: _bank_v1_GetTransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Transfer__Output>): grpc.ClientUnaryCall;
  GetTransfer(argument: _bank_v1_GetTransferRequest, callback: grpc.requestCallback<_bank_v1_Transfer__Output>): grpc.ClientUnaryCall;
  getTransfer(argument: _bank_v1_GetTransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Transfer__Output>): grpc.ClientUnaryCall;
  getTransfer(argument: _bank_v1_GetTransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_Transfer__Output>): grpc.ClientUnaryCall;
  getTransfer(argument: _bank_v1_GetTransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_Transfer__Output>): grpc.ClientUnaryCall;
  getTransfer(argument: _bank_v1_GetTransferRequest, callback: grpc.requestCallback<_bank_v1_Transfer__Output>): grpc.ClientUnaryCall;
  
  GetTransferBatch(argument: _bank_v1_GetTransferBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferBatch__Output>): grpc.ClientUnaryCall;
  GetTransferBatch(argument: _bank_v1_GetTransferBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_TransferBatch__Output>): grpc.ClientUnaryCall;
  GetTransferBatch(argument: _bank_v1_GetTransferBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferBatch__Output>): grpc.ClientUnaryCall;
  GetTransferBatch(argument: _bank_v1_GetTransferBatchRequest, callback: grpc.requestCallback<_bank_v1_TransferBatch__Output>): grpc.ClientUnaryCall;
  getTransferBatch(argument: _bank_v1_GetTransferBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferBatch__Output>): grpc.ClientUnaryCall;
  getTransferBatch(argument: _bank_v1_GetTransferBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_TransferBatch__Output>): grpc.ClientUnaryCall;
  getTransferBatch(argument: _bank_v1_GetTransferBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferBatch__Output>): grpc.ClientUnaryCall;
  getTransferBatch(argument: _bank_v1_GetTransferBatchRequest, callback: grpc.requestCallback<_bank_v1_TransferBatch__Output>): grpc.ClientUnaryCall;
  
  ListAccounts(argument: _bank_v1_ListAccountsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListAccountsReply__Output>): grpc.ClientUnaryCall;
  ListAccounts(argument: _bank_v1_ListAccountsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_ListAccountsReply__Output>): grpc.ClientUnaryCall;
  ListAccounts(argument: _bank_v1_ListAccountsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListAccountsReply__Output>): grpc.ClientUnaryCall;
  ListAccounts(argument: _bank_v1_ListAccountsRequest, callback: grpc.requestCallback<_bank_v1_ListAccountsReply__Output>): grpc.ClientUnaryCall;
  listAccounts(argument: _bank_v1_ListAccountsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListAccountsReply__Output>): grpc.ClientUnaryCall;
  listAccounts(argument: _bank_v1_ListAccountsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_ListAccountsReply__Output>): grpc.ClientUnaryCall;
  listAccounts(argument: _bank_v1_ListAccountsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListAccountsReply__Output>): grpc.ClientUnaryCall;
  listAccounts(argument: _bank_v1_ListAccountsRequest, callback: grpc.requestCallback<_bank_v1_ListAccountsReply__Output>): grpc.ClientUnaryCall;
  
  ListHolds(argument: _bank_v1_ListHoldsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListHoldsReply__Output>): grpc.ClientUnaryCall;
  ListHolds(argument: _bank_v1_ListHoldsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_ListHoldsReply__Output>): grpc.ClientUnaryCall;
  ListHolds(argument: _bank_v1_ListHoldsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListHoldsReply__Output>): grpc.ClientUnaryCall;
  ListHolds(argument: _bank_v1_ListHoldsRequest, callback: grpc.requestCallback<_bank_v1_ListHoldsReply__Output>): grpc.ClientUnaryCall;
  listHolds(argument: _bank_v1_ListHoldsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListHoldsReply__Output>): grpc.ClientUnaryCall;
  listHolds(argument: _bank_v1_ListHoldsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_ListHoldsReply__Output>): grpc.ClientUnaryCall;
  listHolds(argument: _bank_v1_ListHoldsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListHoldsReply__Output>): grpc.ClientUnaryCall;
  listHolds(argument: _bank_v1_ListHoldsRequest, callback: grpc.requestCallback<_bank_v1_ListHoldsReply__Output>): grpc.ClientUnaryCall;
  
  ListTransactions(argument: _bank_v1_ListTransactionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListTransactionsReply__Output>): grpc.ClientUnaryCall;
  ListTransactions(argument: _bank_v1_ListTransactionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_ListTransactionsReply__Output>): grpc.ClientUnaryCall;
  ListTransactions(argument: _bank_v1_ListTransactionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListTransactionsReply__Output>): grpc.ClientUnaryCall;
  ListTransactions(argument: _bank_v1_ListTransactionsRequest, callback: grpc.requestCallback<_bank_v1_ListTransactionsReply__Output>): grpc.ClientUnaryCall;
  listTransactions(argument: _bank_v1_ListTransactionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListTransactionsReply__Output>): grpc.ClientUnaryCall;
  listTransactions(argument: _bank_v1_ListTransactionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_ListTransactionsReply__Output>): grpc.ClientUnaryCall;
  listTransactions(argument: _bank_v1_ListTransactionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_ListTransactionsReply__Output>): grpc.ClientUnaryCall;
  listTransactions(argument: _bank_v1_ListTransactionsRequest, callback: grpc.requestCallback<_bank_v1_ListTransactionsReply__Output>): grpc.ClientUnaryCall;
  
}

export interface QueryServiceHandlers extends grpc.UntypedServiceImplementation {
  GetAccount: grpc.handleUnaryCall<_bank_v1_GetAccountRequest__Output, _bank_v1_Account>;
  
  GetHold: grpc.handleUnaryCall<_bank_v1_GetHoldRequest__Output, _bank_v1_Hold>;
  
  GetProjectionStatus: grpc.handleUnaryCall<_bank_v1_GetProjectionStatusRequest__Output, _bank_v1_ProjectionStatus>;
  
  GetStatement: grpc.handleUnaryCall<_bank_v1_GetStatementRequest__Output, _bank_v1_Statement>;
  
  GetTransfer: grpc.handleUnaryCall<_bank_v1_GetTransferRequest__Output, _bank_v1_Transfer>;
  
  GetTransferBatch: grpc.handleUnaryCall<_bank_v1_GetTransferBatchRequest__Output, _bank_v1_TransferBatch>;
  
  ListAccounts: grpc.handleUnaryCall<_bank_v1_ListAccountsRequest__Output, _bank_v1_ListAccountsReply>;
  
  ListHolds: grpc.handleUnaryCall<_bank_v1_ListHoldsRequest__Output, _bank_v1_ListHoldsReply>;
  
  ListTransactions: grpc.handleUnaryCall<_bank_v1_ListTransactionsRequest__Output, _bank_v1_ListTransactionsReply>;
  
}

export interface QueryServiceDefinition extends grpc.ServiceDefinition {
  GetAccount: MethodDefinition<_bank_v1_GetAccountRequest, _bank_v1_Account, _bank_v1_GetAccountRequest__Output, _bank_v1_Account__Output>
  GetHold: MethodDefinition<_bank_v1_GetHoldRequest, _bank_v1_Hold, _bank_v1_GetHoldRequest__Output, _bank_v1_Hold__Output>
  GetProjectionStatus: MethodDefinition<_bank_v1_GetProjectionStatusRequest, _bank_v1_ProjectionStatus, _bank_v1_GetProjectionStatusRequest__Output, _bank_v1_ProjectionStatus__Output>
  GetStatement: MethodDefinition<_bank_v1_GetStatementRequest, _bank_v1_Statement, _bank_v1_GetStatementRequest__Output, _bank_v1_Statement__Output>
  GetTransfer: MethodDefinition<_bank_v1_GetTransferRequest, _bank_v1_Transfer, _bank_v1_GetTransferRequest__Output, _bank_v1_Transfer__Output>
  GetTransferBatch: MethodDefinition<_bank_v1_GetTransferBatchRequest, _bank_v1_TransferBatch, _bank_v1_GetTransferBatchRequest__Output, _bank_v1_TransferBatch__Output>
  ListAccounts: MethodDefinition<_bank_v1_ListAccountsRequest, _bank_v1_ListAccountsReply, _bank_v1_ListAccountsRequest__Output, _bank_v1_ListAccountsReply__Output>
  ListHolds: MethodDefinition<_bank_v1_ListHoldsRequest, _bank_v1_ListHoldsReply, _bank_v1_ListHoldsRequest__Output, _bank_v1_ListHoldsReply__Output>
  ListTransactions: MethodDefinition<_bank_v1_ListTransactionsRequest, _bank_v1_ListTransactionsReply, _bank_v1_ListTransactionsRequest__Output, _bank_v1_ListTransactionsReply__Output>
}
