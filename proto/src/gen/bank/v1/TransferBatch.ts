// Original file: proto/bank/v1/queries.proto

import type { TransferBatchLeg as _bank_v1_TransferBatchLeg, TransferBatchLeg__Output as _bank_v1_TransferBatchLeg__Output } from '../../bank/v1/TransferBatchLeg.js';

export interface TransferBatch {
  'batchId'?: (string);
  'mode'?: (string);
  'status'?: (string);
  'transfers'?: (_bank_v1_TransferBatchLeg)[];
}

export interface TransferBatch__Output {
  'batchId': (string);
  'mode': (string);
  'status': (string);
  'transfers': (_bank_v1_TransferBatchLeg__Output)[];
}
