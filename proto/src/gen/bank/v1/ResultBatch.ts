// Original file: proto/bank/v1/commands.proto

import type { UnaryResult as _bank_v1_UnaryResult, UnaryResult__Output as _bank_v1_UnaryResult__Output } from '../../bank/v1/UnaryResult.js';

export interface ResultBatch {
  'results'?: (_bank_v1_UnaryResult)[];
}

export interface ResultBatch__Output {
  'results': (_bank_v1_UnaryResult__Output)[];
}
