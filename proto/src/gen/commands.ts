import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AccountReply as _bank_v1_AccountReply, AccountReply__Output as _bank_v1_AccountReply__Output } from './bank/v1/AccountReply.js';
import type { AccountRequest as _bank_v1_AccountRequest, AccountRequest__Output as _bank_v1_AccountRequest__Output } from './bank/v1/AccountRequest.js';
import type { AccountSnapshot as _bank_v1_AccountSnapshot, AccountSnapshot__Output as _bank_v1_AccountSnapshot__Output } from './bank/v1/AccountSnapshot.js';
import type { Actor as _bank_v1_Actor, Actor__Output as _bank_v1_Actor__Output } from './bank/v1/Actor.js';
import type { CallBatch as _bank_v1_CallBatch, CallBatch__Output as _bank_v1_CallBatch__Output } from './bank/v1/CallBatch.js';
import type { CaptureHoldRequest as _bank_v1_CaptureHoldRequest, CaptureHoldRequest__Output as _bank_v1_CaptureHoldRequest__Output } from './bank/v1/CaptureHoldRequest.js';
import type { ChangeOverdraftLimitRequest as _bank_v1_ChangeOverdraftLimitRequest, ChangeOverdraftLimitRequest__Output as _bank_v1_ChangeOverdraftLimitRequest__Output } from './bank/v1/ChangeOverdraftLimitRequest.js';
import type { CommandCallsServiceClient as _bank_v1_CommandCallsServiceClient, CommandCallsServiceDefinition as _bank_v1_CommandCallsServiceDefinition } from './bank/v1/CommandCallsService.js';
import type { CommandContext as _bank_v1_CommandContext, CommandContext__Output as _bank_v1_CommandContext__Output } from './bank/v1/CommandContext.js';
import type { CommandServiceClient as _bank_v1_CommandServiceClient, CommandServiceDefinition as _bank_v1_CommandServiceDefinition } from './bank/v1/CommandService.js';
import type { FreezeAccountRequest as _bank_v1_FreezeAccountRequest, FreezeAccountRequest__Output as _bank_v1_FreezeAccountRequest__Output } from './bank/v1/FreezeAccountRequest.js';
import type { HoldRequest as _bank_v1_HoldRequest, HoldRequest__Output as _bank_v1_HoldRequest__Output } from './bank/v1/HoldRequest.js';
import type { MoneyRequest as _bank_v1_MoneyRequest, MoneyRequest__Output as _bank_v1_MoneyRequest__Output } from './bank/v1/MoneyRequest.js';
import type { OpenAccountRequest as _bank_v1_OpenAccountRequest, OpenAccountRequest__Output as _bank_v1_OpenAccountRequest__Output } from './bank/v1/OpenAccountRequest.js';
import type { PlaceHoldRequest as _bank_v1_PlaceHoldRequest, PlaceHoldRequest__Output as _bank_v1_PlaceHoldRequest__Output } from './bank/v1/PlaceHoldRequest.js';
import type { RequestTransferBatchRequest as _bank_v1_RequestTransferBatchRequest, RequestTransferBatchRequest__Output as _bank_v1_RequestTransferBatchRequest__Output } from './bank/v1/RequestTransferBatchRequest.js';
import type { RequestTransferRequest as _bank_v1_RequestTransferRequest, RequestTransferRequest__Output as _bank_v1_RequestTransferRequest__Output } from './bank/v1/RequestTransferRequest.js';
import type { ResultBatch as _bank_v1_ResultBatch, ResultBatch__Output as _bank_v1_ResultBatch__Output } from './bank/v1/ResultBatch.js';
import type { ReverseTransferRequest as _bank_v1_ReverseTransferRequest, ReverseTransferRequest__Output as _bank_v1_ReverseTransferRequest__Output } from './bank/v1/ReverseTransferRequest.js';
import type { TransferBatchLegReply as _bank_v1_TransferBatchLegReply, TransferBatchLegReply__Output as _bank_v1_TransferBatchLegReply__Output } from './bank/v1/TransferBatchLegReply.js';
import type { TransferBatchReply as _bank_v1_TransferBatchReply, TransferBatchReply__Output as _bank_v1_TransferBatchReply__Output } from './bank/v1/TransferBatchReply.js';
import type { TransferLeg as _bank_v1_TransferLeg, TransferLeg__Output as _bank_v1_TransferLeg__Output } from './bank/v1/TransferLeg.js';
import type { TransferReply as _bank_v1_TransferReply, TransferReply__Output as _bank_v1_TransferReply__Output } from './bank/v1/TransferReply.js';
import type { UnaryCall as _bank_v1_UnaryCall, UnaryCall__Output as _bank_v1_UnaryCall__Output } from './bank/v1/UnaryCall.js';
import type { UnaryResult as _bank_v1_UnaryResult, UnaryResult__Output as _bank_v1_UnaryResult__Output } from './bank/v1/UnaryResult.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  bank: {
    v1: {
      AccountReply: MessageTypeDefinition<_bank_v1_AccountReply, _bank_v1_AccountReply__Output>
      AccountRequest: MessageTypeDefinition<_bank_v1_AccountRequest, _bank_v1_AccountRequest__Output>
      AccountSnapshot: MessageTypeDefinition<_bank_v1_AccountSnapshot, _bank_v1_AccountSnapshot__Output>
      Actor: MessageTypeDefinition<_bank_v1_Actor, _bank_v1_Actor__Output>
      CallBatch: MessageTypeDefinition<_bank_v1_CallBatch, _bank_v1_CallBatch__Output>
      CaptureHoldRequest: MessageTypeDefinition<_bank_v1_CaptureHoldRequest, _bank_v1_CaptureHoldRequest__Output>
      ChangeOverdraftLimitRequest: MessageTypeDefinition<_bank_v1_ChangeOverdraftLimitRequest, _bank_v1_ChangeOverdraftLimitRequest__Output>
      CommandCallsService: SubtypeConstructor<typeof grpc.Client, _bank_v1_CommandCallsServiceClient> & { service: _bank_v1_CommandCallsServiceDefinition }
      CommandContext: MessageTypeDefinition<_bank_v1_CommandContext, _bank_v1_CommandContext__Output>
      CommandService: SubtypeConstructor<typeof grpc.Client, _bank_v1_CommandServiceClient> & { service: _bank_v1_CommandServiceDefinition }
      FreezeAccountRequest: MessageTypeDefinition<_bank_v1_FreezeAccountRequest, _bank_v1_FreezeAccountRequest__Output>
      HoldRequest: MessageTypeDefinition<_bank_v1_HoldRequest, _bank_v1_HoldRequest__Output>
      MoneyRequest: MessageTypeDefinition<_bank_v1_MoneyRequest, _bank_v1_MoneyRequest__Output>
      OpenAccountRequest: MessageTypeDefinition<_bank_v1_OpenAccountRequest, _bank_v1_OpenAccountRequest__Output>
      PlaceHoldRequest: MessageTypeDefinition<_bank_v1_PlaceHoldRequest, _bank_v1_PlaceHoldRequest__Output>
      RequestTransferBatchRequest: MessageTypeDefinition<_bank_v1_RequestTransferBatchRequest, _bank_v1_RequestTransferBatchRequest__Output>
      RequestTransferRequest: MessageTypeDefinition<_bank_v1_RequestTransferRequest, _bank_v1_RequestTransferRequest__Output>
      ResultBatch: MessageTypeDefinition<_bank_v1_ResultBatch, _bank_v1_ResultBatch__Output>
      ReverseTransferRequest: MessageTypeDefinition<_bank_v1_ReverseTransferRequest, _bank_v1_ReverseTransferRequest__Output>
      TransferBatchLegReply: MessageTypeDefinition<_bank_v1_TransferBatchLegReply, _bank_v1_TransferBatchLegReply__Output>
      TransferBatchReply: MessageTypeDefinition<_bank_v1_TransferBatchReply, _bank_v1_TransferBatchReply__Output>
      TransferLeg: MessageTypeDefinition<_bank_v1_TransferLeg, _bank_v1_TransferLeg__Output>
      TransferReply: MessageTypeDefinition<_bank_v1_TransferReply, _bank_v1_TransferReply__Output>
      UnaryCall: MessageTypeDefinition<_bank_v1_UnaryCall, _bank_v1_UnaryCall__Output>
      UnaryResult: MessageTypeDefinition<_bank_v1_UnaryResult, _bank_v1_UnaryResult__Output>
    }
  }
}

