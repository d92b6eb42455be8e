// Original file: proto/bank/v1/commands.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CallBatch as _bank_v1_CallBatch, CallBatch__Output as _bank_v1_CallBatch__Output } from '../../bank/v1/CallBatch.js';
import type { ResultBatch as _bank_v1_ResultBatch, ResultBatch__Output as _bank_v1_ResultBatch__Output } from '../../bank/v1/ResultBatch.js';

export interface CommandCallsServiceClient extends grpc.Client {
  Calls(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_bank_v1_CallBatch, _bank_v1_ResultBatch__Output>;
  Calls(options?: grpc.CallOptions): grpc.ClientDuplexStream<_bank_v1_CallBatch, _bank_v1_ResultBatch__Output>;
  calls(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_bank_v1_CallBatch, _bank_v1_ResultBatch__Output>;
  calls(options?: grpc.CallOptions): grpc.ClientDuplexStream<_bank_v1_CallBatch, _bank_v1_ResultBatch__Output>;
  
}

export interface CommandCallsServiceHandlers extends grpc.UntypedServiceImplementation {
  Calls: grpc.handleBidiStreamingCall<_bank_v1_CallBatch__Output, _bank_v1_ResultBatch>;
  
}

export interface CommandCallsServiceDefinition extends grpc.ServiceDefinition {
  Calls: MethodDefinition<_bank_v1_CallBatch, _bank_v1_ResultBatch, _bank_v1_CallBatch__Output, _bank_v1_ResultBatch__Output>
}
