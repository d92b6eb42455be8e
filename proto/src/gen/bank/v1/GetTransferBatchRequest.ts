// Original file: proto/bank/v1/queries.proto

import type { ReadOptions as _bank_v1_ReadOptions, ReadOptions__Output as _bank_v1_ReadOptions__Output } from '../../bank/v1/ReadOptions.js';

export interface GetTransferBatchRequest {
  'options'?: (_bank_v1_ReadOptions | null);
  'batchId'?: (string);
}

export interface GetTransferBatchRequest__Output {
  'options': (_bank_v1_ReadOptions__Output | null);
  'batchId': (string);
}
