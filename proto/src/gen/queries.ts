import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Account as _bank_v1_Account, Account__Output as _bank_v1_Account__Output } from './bank/v1/Account.js';
import type { GetAccountRequest as _bank_v1_GetAccountRequest, GetAccountRequest__Output as _bank_v1_GetAccountRequest__Output } from './bank/v1/GetAccountRequest.js';
import type { GetHoldRequest as _bank_v1_GetHoldRequest, GetHoldRequest__Output as _bank_v1_GetHoldRequest__Output } from './bank/v1/GetHoldRequest.js';
import type { GetProjectionStatusRequest as _bank_v1_GetProjectionStatusRequest, GetProjectionStatusRequest__Output as _bank_v1_GetProjectionStatusRequest__Output } from './bank/v1/GetProjectionStatusRequest.js';
import type { GetStatementRequest as _bank_v1_GetStatementRequest, GetStatementRequest__Output as _bank_v1_GetStatementRequest__Output } from './bank/v1/GetStatementRequest.js';
import type { GetTransferBatchRequest as _bank_v1_GetTransferBatchRequest, GetTransferBatchRequest__Output as _bank_v1_GetTransferBatchRequest__Output } from './bank/v1/GetTransferBatchRequest.js';
import type { GetTransferRequest as _bank_v1_GetTransferRequest, GetTransferRequest__Output as _bank_v1_GetTransferRequest__Output } from './bank/v1/GetTransferRequest.js';
import type { Hold as _bank_v1_Hold, Hold__Output as _bank_v1_Hold__Output } from './bank/v1/Hold.js';
import type { LedgerEntry as _bank_v1_LedgerEntry, LedgerEntry__Output as _bank_v1_LedgerEntry__Output } from './bank/v1/LedgerEntry.js';
import type { ListAccountsReply as _bank_v1_ListAccountsReply, ListAccountsReply__Output as _bank_v1_ListAccountsReply__Output } from './bank/v1/ListAccountsReply.js';
import type { ListAccountsRequest as _bank_v1_ListAccountsRequest, ListAccountsRequest__Output as _bank_v1_ListAccountsRequest__Output } from './bank/v1/ListAccountsRequest.js';
import type { ListHoldsReply as _bank_v1_ListHoldsReply, ListHoldsReply__Output as _bank_v1_ListHoldsReply__Output } from './bank/v1/ListHoldsReply.js';
import type { ListHoldsRequest as _bank_v1_ListHoldsRequest, ListHoldsRequest__Output as _bank_v1_ListHoldsRequest__Output } from './bank/v1/ListHoldsRequest.js';
import type { ListTransactionsReply as _bank_v1_ListTransactionsReply, ListTransactionsReply__Output as _bank_v1_ListTransactionsReply__Output } from './bank/v1/ListTransactionsReply.js';
import type { ListTransactionsRequest as _bank_v1_ListTransactionsRequest, ListTransactionsRequest__Output as _bank_v1_ListTransactionsRequest__Output } from './bank/v1/ListTransactionsRequest.js';
import type { ProjectionCheckpoint as _bank_v1_ProjectionCheckpoint, ProjectionCheckpoint__Output as _bank_v1_ProjectionCheckpoint__Output } from './bank/v1/ProjectionCheckpoint.js';
import type { ProjectionStatus as _bank_v1_ProjectionStatus, ProjectionStatus__Output as _bank_v1_ProjectionStatus__Output } from './bank/v1/ProjectionStatus.js';
import type { QueryServiceClient as _bank_v1_QueryServiceClient, QueryServiceDefinition as _bank_v1_QueryServiceDefinition } from './bank/v1/QueryService.js';
import type { ReadOptions as _bank_v1_ReadOptions, ReadOptions__Output as _bank_v1_ReadOptions__Output } from './bank/v1/ReadOptions.js';
import type { Statement as _bank_v1_Statement, Statement__Output as _bank_v1_Statement__Output } from './bank/v1/Statement.js';
import type { Transfer as _bank_v1_Transfer, Transfer__Output as _bank_v1_Transfer__Output } from './bank/v1/Transfer.js';
import type { TransferBatch as _bank_v1_TransferBatch, TransferBatch__Output as _bank_v1_TransferBatch__Output } from './bank/v1/TransferBatch.js';
import type { TransferBatchLeg as _bank_v1_TransferBatchLeg, TransferBatchLeg__Output as _bank_v1_TransferBatchLeg__Output } from './bank/v1/TransferBatchLeg.js';
import type { TransferStatusChange as _bank_v1_TransferStatusChange, TransferStatusChange__Output as _bank_v1_TransferStatusChange__Output } from './bank/v1/TransferStatusChange.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  bank: {
    v1: {
      Account: MessageTypeDefinition<_bank_v1_Account, _bank_v1_Account__Output>
      GetAccountRequest: MessageTypeDefinition<_bank_v1_GetAccountRequest, _bank_v1_GetAccountRequest__Output>
      GetHoldRequest: MessageTypeDefinition<_bank_v1_GetHoldRequest, _bank_v1_GetHoldRequest__Output>
      GetProjectionStatusRequest: MessageTypeDefinition<_bank_v1_GetProjectionStatusRequest, _bank_v1_GetProjectionStatusRequest__Output>
      GetStatementRequest: MessageTypeDefinition<_bank_v1_GetStatementRequest, _bank_v1_GetStatementRequest__Output>
      GetTransferBatchRequest: MessageTypeDefinition<_bank_v1_GetTransferBatchRequest, _bank_v1_GetTransferBatchRequest__Output>
      GetTransferRequest: MessageTypeDefinition<_bank_v1_GetTransferRequest, _bank_v1_GetTransferRequest__Output>
      Hold: MessageTypeDefinition<_bank_v1_Hold, _bank_v1_Hold__Output>
      LedgerEntry: MessageTypeDefinition<_bank_v1_LedgerEntry, _bank_v1_LedgerEntry__Output>
      ListAccountsReply: MessageTypeDefinition<_bank_v1_ListAccountsReply, _bank_v1_ListAccountsReply__Output>
      ListAccountsRequest: MessageTypeDefinition<_bank_v1_ListAccountsRequest, _bank_v1_ListAccountsRequest__Output>
      ListHoldsReply: MessageTypeDefinition<_bank_v1_ListHoldsReply, _bank_v1_ListHoldsReply__Output>
      ListHoldsRequest: MessageTypeDefinition<_bank_v1_ListHoldsRequest, _bank_v1_ListHoldsRequest__Output>
      ListTransactionsReply: MessageTypeDefinition<_bank_v1_ListTransactionsReply, _bank_v1_ListTransactionsReply__Output>
      ListTransactionsRequest: MessageTypeDefinition<_bank_v1_ListTransactionsRequest, _bank_v1_ListTransactionsRequest__Output>
      ProjectionCheckpoint: MessageTypeDefinition<_bank_v1_ProjectionCheckpoint, _bank_v1_ProjectionCheckpoint__Output>
      ProjectionStatus: MessageTypeDefinition<_bank_v1_ProjectionStatus, _bank_v1_ProjectionStatus__Output>
      QueryService: SubtypeConstructor<typeof grpc.Client, _bank_v1_QueryServiceClient> & { service: _bank_v1_QueryServiceDefinition }
      ReadOptions: MessageTypeDefinition<_bank_v1_ReadOptions, _bank_v1_ReadOptions__Output>
      Statement: MessageTypeDefinition<_bank_v1_Statement, _bank_v1_Statement__Output>
      Transfer: MessageTypeDefinition<_bank_v1_Transfer, _bank_v1_Transfer__Output>
      TransferBatch: MessageTypeDefinition<_bank_v1_TransferBatch, _bank_v1_TransferBatch__Output>
      TransferBatchLeg: MessageTypeDefinition<_bank_v1_TransferBatchLeg, _bank_v1_TransferBatchLeg__Output>
      TransferStatusChange: MessageTypeDefinition<_bank_v1_TransferStatusChange, _bank_v1_TransferStatusChange__Output>
    }
  }
}

