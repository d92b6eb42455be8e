// Original file: proto/bank/v1/commands.proto

import type { UnaryCall as _bank_v1_UnaryCall, UnaryCall__Output as _bank_v1_UnaryCall__Output } from '../../bank/v1/UnaryCall.js';

export interface CallBatch {
  'calls'?: (_bank_v1_UnaryCall)[];
}

export interface CallBatch__Output {
  'calls': (_bank_v1_UnaryCall__Output)[];
}
