// Original file: proto/bank/v1/commands.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AccountReply as _bank_v1_AccountReply, AccountReply__Output as _bank_v1_AccountReply__Output } from '../../bank/v1/AccountReply.js';
import type { AccountRequest as _bank_v1_AccountRequest, AccountRequest__Output as _bank_v1_AccountRequest__Output } from '../../bank/v1/AccountRequest.js';
import type { CaptureHoldRequest as _bank_v1_CaptureHoldRequest, CaptureHoldRequest__Output as _bank_v1_CaptureHoldRequest__Output } from '../../bank/v1/CaptureHoldRequest.js';
import type { ChangeOverdraftLimitRequest as _bank_v1_ChangeOverdraftLimitRequest, ChangeOverdraftLimitRequest__Output as _bank_v1_ChangeOverdraftLimitRequest__Output } from '../../bank/v1/ChangeOverdraftLimitRequest.js';
import type { FreezeAccountRequest as _bank_v1_FreezeAccountRequest, FreezeAccountRequest__Output as _bank_v1_FreezeAccountRequest__Output } from '../../bank/v1/FreezeAccountRequest.js';
import type { HoldRequest as _bank_v1_HoldRequest, HoldRequest__Output as _bank_v1_HoldRequest__Output } from '../../bank/v1/HoldRequest.js';
import type { MoneyRequest as _bank_v1_MoneyRequest, MoneyRequest__Output as _bank_v1_MoneyRequest__Output } from '../../bank/v1/MoneyRequest.js';
import type { OpenAccountRequest as _bank_v1_OpenAccountRequest, OpenAccountRequest__Output as _bank_v1_OpenAccountRequest__Output } from '../../bank/v1/OpenAccountRequest.js';
import type { PlaceHoldRequest as _bank_v1_PlaceHoldRequest, PlaceHoldRequest__Output as _bank_v1_PlaceHoldRequest__Output } from '../../bank/v1/PlaceHoldRequest.js';
import type { RequestTransferBatchRequest as _bank_v1_RequestTransferBatchRequest, RequestTransferBatchRequest__Output as _bank_v1_RequestTransferBatchRequest__Output } from '../../bank/v1/RequestTransferBatchRequest.js';
import type { RequestTransferRequest as _bank_v1_RequestTransferRequest, RequestTransferRequest__Output as _bank_v1_RequestTransferRequest__Output } from '../../bank/v1/RequestTransferRequest.js';
import type { ReverseTransferRequest as _bank_v1_ReverseTransferRequest, ReverseTransferRequest__Output as _bank_v1_ReverseTransferRequest__Output } from '../../bank/v1/ReverseTransferRequest.js';
import type { TransferBatchReply as _bank_v1_TransferBatchReply, TransferBatchReply__Output as _bank_v1_TransferBatchReply__Output } from '../../bank/v1/TransferBatchReply.js';
import type { TransferReply as _bank_v1_TransferReply, TransferReply__Output as _bank_v1_TransferReply__Output } from '../../bank/v1/TransferReply.js';

export interface CommandServiceClient extends grpc.Client {
  CaptureHold(argument: _bank_v1_CaptureHoldRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  CaptureHold(argument: _bank_v1_CaptureHoldRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  CaptureHold(argument: _bank_v1_CaptureHoldRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  CaptureHold(argument: _bank_v1_CaptureHoldRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  captureHold(argument: _bank_v1_CaptureHoldRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  captureHold(argument: _bank_v1_CaptureHoldRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  captureHold(argument: _bank_v1_CaptureHoldRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  captureHold(argument: _bank_v1_CaptureHoldRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  
  ChangeOverdraftLimit(argument: _bank_v1_ChangeOverdraftLimitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  ChangeOverdraftLimit(argument: _bank_v1_ChangeOverdraftLimitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  ChangeOverdraftLimit(argument: _bank_v1_ChangeOverdraftLimitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  ChangeOverdraftLimit(argument: _bank_v1_ChangeOverdraftLimitRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  changeOverdraftLimit(argument: _bank_v1_ChangeOverdraftLimitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  changeOverdraftLimit(argument: _bank_v1_ChangeOverdraftLimitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  changeOverdraftLimit(argument: _bank_v1_ChangeOverdraftLimitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  changeOverdraftLimit(argument: _bank_v1_ChangeOverdraftLimitRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  
  CloseAccount(argument: _bank_v1_AccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  CloseAccount(argument: _bank_v1_AccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  CloseAccount(argument: _bank_v1_AccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  CloseAccount(argument: _bank_v1_AccountRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  closeAccount(argument: _bank_v1_AccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  closeAccount(argument: _bank_v1_AccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  closeAccount(argument: _bank_v1_AccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  closeAccount(argument: _bank_v1_AccountRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  
  Deposit(argument: _bank_v1_MoneyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  Deposit(argument: _bank_v1_MoneyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  Deposit(argument: _bank_v1_MoneyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  Deposit(argument: _bank_v1_MoneyRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  deposit(argument: _bank_v1_MoneyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  deposit(argument: _bank_v1_MoneyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  deposit(argument: _bank_v1_MoneyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  deposit(argument: _bank_v1_MoneyRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  
  FreezeAccount(argument: _bank_v1_FreezeAccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  FreezeAccount(argument: _bank_v1_FreezeAccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  FreezeAccount(argument: _bank_v1_FreezeAccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  FreezeAccount(argument: _bank_v1_FreezeAccountRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  freezeAccount(argument: _bank_v1_FreezeAccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  freezeAccount(argument: _bank_v1_FreezeAccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  freezeAccount(argument: _bank_v1_FreezeAccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  freezeAccount(argument: _bank_v1_FreezeAccountRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  
  OpenAccount(argument: _bank_v1_OpenAccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  OpenAccount(argument: _bank_v1_OpenAccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  OpenAccount(argument: _bank_v1_OpenAccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  OpenAccount(argument: _bank_v1_OpenAccountRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  openAccount(argument: _bank_v1_OpenAccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  openAccount(argument: _bank_v1_OpenAccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  openAccount(argument: _bank_v1_OpenAccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  openAccount(argument: _bank_v1_OpenAccountRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  
  PlaceHold(argument: _bank_v1_PlaceHoldRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  PlaceHold(argument: _bank_v1_PlaceHoldRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  PlaceHold(argument: _bank_v1_PlaceHoldRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  PlaceHold(argument: _bank_v1_PlaceHoldRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  placeHold(argument: _bank_v1_PlaceHoldRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  placeHold(argument: _bank_v1_PlaceHoldRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  placeHold(argument: _bank_v1_PlaceHoldRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  placeHold(argument: _bank_v1_PlaceHoldRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  
  ReleaseHold(argument: _bank_v1_HoldRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  ReleaseHold(argument: _bank_v1_HoldRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  ReleaseHold(argument: _bank_v1_HoldRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  ReleaseHold(argument: _bank_v1_HoldRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  releaseHold(argument: _bank_v1_HoldRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  releaseHold(argument: _bank_v1_HoldRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  releaseHold(argument: _bank_v1_HoldRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  releaseHold(argument: _bank_v1_HoldRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  
  RequestTransfer(argument: _bank_v1_RequestTransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  RequestTransfer(argument: _bank_v1_RequestTransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  RequestTransfer(argument: _bank_v1_RequestTransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  RequestTransfer(argument: _bank_v1_RequestTransferRequest, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  requestTransfer(argument: _bank_v1_RequestTransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  requestTransfer(argument: _bank_v1_RequestTransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  requestTransfer(argument: _bank_v1_RequestTransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  requestTransfer(argument: _bank_v1_RequestTransferRequest, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  
  RequestTransferBatch(argument: _bank_v1_RequestTransferBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferBatchReply__Output>): grpc.ClientUnaryCall;
  RequestTransferBatch(argument: _bank_v1_RequestTransferBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_TransferBatchReply__Output>): grpc.ClientUnaryCall;
  RequestTransferBatch(argument: _bank_v1_RequestTransferBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferBatchReply__Output>): grpc.ClientUnaryCall;
  RequestTransferBatch(argument: _bank_v1_RequestTransferBatchRequest, callback: grpc.requestCallback<_bank_v1_TransferBatchReply__Output>): grpc.ClientUnaryCall;
  requestTransferBatch(argument: _bank_v1_RequestTransferBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferBatchReply__Output>): grpc.ClientUnaryCall;
  requestTransferBatch(argument: _bank_v1_RequestTransferBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_TransferBatchReply__Output>): grpc.ClientUnaryCall;
  requestTransferBatch(argument: _bank_v1_RequestTransferBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferBatchReply__Output>): grpc.ClientUnaryCall;
  requestTransferBatch(argument: _bank_v1_RequestTransferBatchRequest, callback: grpc.requestCallback<_bank_v1_TransferBatchReply__Output>): grpc.ClientUnaryCall;
  
  ReverseTransfer(argument: _bank_v1_ReverseTransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  ReverseTransfer(argument: _bank_v1_ReverseTransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  ReverseTransfer(argument: _bank_v1_ReverseTransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  ReverseTransfer(argument: _bank_v1_ReverseTransferRequest, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  reverseTransfer(argument: _bank_v1_ReverseTransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  reverseTransfer(argument: _bank_v1_ReverseTransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  reverseTransfer(argument: _bank_v1_ReverseTransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  reverseTransfer(argument: _bank_v1_ReverseTransferRequest, callback: grpc.requestCallback<_bank_v1_TransferReply__Output>): grpc.ClientUnaryCall;
  
  UnfreezeAccount(argument: _bank_v1_AccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  UnfreezeAccount(argument: _bank_v1_AccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  UnfreezeAccount(argument: _bank_v1_AccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  UnfreezeAccount(argument: _bank_v1_AccountRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  unfreezeAccount(argument: _bank_v1_AccountRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  unfreezeAccount(argument: _bank_v1_AccountRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  unfreezeAccount(argument: _bank_v1_AccountRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  unfreezeAccount(argument: _bank_v1_AccountRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  
  Withdraw(argument: _bank_v1_MoneyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  Withdraw(argument: _bank_v1_MoneyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  Withdraw(argument: _bank_v1_MoneyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  Withdraw(argument: _bank_v1_MoneyRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  withdraw(argument: _bank_v1_MoneyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  withdraw(argument: _bank_v1_MoneyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  withdraw(argument: _bank_v1_MoneyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  withdraw(argument: _bank_v1_MoneyRequest, callback: grpc.requestCallback<_bank_v1_AccountReply__Output>): grpc.ClientUnaryCall;
  
}

export interface CommandServiceHandlers extends grpc.UntypedServiceImplementation {
  CaptureHold: grpc.handleUnaryCall<_bank_v1_CaptureHoldRequest__Output, _bank_v1_AccountReply>;
  
  ChangeOverdraftLimit: grpc.handleUnaryCall<_bank_v1_ChangeOverdraftLimitRequest__Output, _bank_v1_AccountReply>;
  
  CloseAccount: grpc.handleUnaryCall<_bank_v1_AccountRequest__Output, _bank_v1_AccountReply>;
  
  Deposit: grpc.handleUnaryCall<_bank_v1_MoneyRequest__Output, _bank_v1_AccountReply>;
  
  FreezeAccount: grpc.handleUnaryCall<_bank_v1_FreezeAccountRequest__Output, _bank_v1_AccountReply>;
  
  OpenAccount: grpc.handleUnaryCall<_bank_v1_OpenAccountRequest__Output, _bank_v1_AccountReply>;
  
  PlaceHold: grpc.handleUnaryCall<_bank_v1_PlaceHoldRequest__Output, _bank_v1_AccountReply>;
  
  ReleaseHold: grpc.handleUnaryCall<_bank_v1_HoldRequest__Output, _bank_v1_AccountReply>;
  
  RequestTransfer: grpc.handleUnaryCall<_bank_v1_RequestTransferRequest__Output, _bank_v1_TransferReply>;
  
  RequestTransferBatch: grpc.handleUnaryCall<_bank_v1_RequestTransferBatchRequest__Output, _bank_v1_TransferBatchReply>;
  
  ReverseTransfer: grpc.handleUnaryCall<_bank_v1_ReverseTransferRequest__Output, _bank_v1_TransferReply>;
  
  UnfreezeAccount: grpc.handleUnaryCall<_bank_v1_AccountRequest__Output, _bank_v1_AccountReply>;
  
  Withdraw: grpc.handleUnaryCall<_bank_v1_MoneyRequest__Output, _bank_v1_AccountReply>;
  
}

export interface CommandServiceDefinition extends grpc.ServiceDefinition {
  CaptureHold: MethodDefinition<_bank_v1_CaptureHoldRequest, _bank_v1_AccountReply, _bank_v1_CaptureHoldRequest__Output, _bank_v1_AccountReply__Output>
  ChangeOverdraftLimit: MethodDefinition<_bank_v1_ChangeOverdraftLimitRequest, _bank_v1_AccountReply, _bank_v1_ChangeOverdraftLimitRequest__Output, _bank_v1_AccountReply__Output>
  CloseAccount: MethodDefinition<_bank_v1_AccountRequest, _bank_v1_AccountReply, _bank_v1_AccountRequest__Output, _bank_v1_AccountReply__Output>
  Deposit: MethodDefinition<_bank_v1_MoneyRequest, _bank_v1_AccountReply, _bank_v1_MoneyRequest__Output, _bank_v1_AccountReply__Output>
  FreezeAccount: MethodDefinition<_bank_v1_FreezeAccountRequest, _bank_v1_AccountReply, _bank_v1_FreezeAccountRequest__Output, _bank_v1_AccountReply__Output>
  OpenAccount: MethodDefinition<_bank_v1_OpenAccountRequest, _bank_v1_AccountReply, _bank_v1_OpenAccountRequest__Output, _bank_v1_AccountReply__Output>
  PlaceHold: MethodDefinition<_bank_v1_PlaceHoldRequest, _bank_v1_AccountReply, _bank_v1_PlaceHoldRequest__Output, _bank_v1_AccountReply__Output>
  ReleaseHold: MethodDefinition<_bank_v1_HoldRequest, _bank_v1_AccountReply, _bank_v1_HoldRequest__Output, _bank_v1_AccountReply__Output>
  RequestTransfer: MethodDefinition<_bank_v1_RequestTransferRequest, _bank_v1_TransferReply, _bank_v1_RequestTransferRequest__Output, _bank_v1_TransferReply__Output>
  RequestTransferBatch: MethodDefinition<_bank_v1_RequestTransferBatchRequest, _bank_v1_TransferBatchReply, _bank_v1_RequestTransferBatchRequest__Output, _bank_v1_TransferBatchReply__Output>
  ReverseTransfer: MethodDefinition<_bank_v1_ReverseTransferRequest, _bank_v1_TransferReply, _bank_v1_ReverseTransferRequest__Output, _bank_v1_TransferReply__Output>
  UnfreezeAccount: MethodDefinition<_bank_v1_AccountRequest, _bank_v1_AccountReply, _bank_v1_AccountRequest__Output, _bank_v1_AccountReply__Output>
  Withdraw: MethodDefinition<_bank_v1_MoneyRequest, _bank_v1_AccountReply, _bank_v1_MoneyRequest__Output, _bank_v1_AccountReply__Output>
}
