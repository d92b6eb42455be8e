// Original file: proto/bank/v1/commands.proto

import type { TransferBatchLegReply as _bank_v1_TransferBatchLegReply, TransferBatchLegReply__Output as _bank_v1_TransferBatchLegReply__Output } from '../../bank/v1/TransferBatchLegReply.js';

export interface TransferBatchReply {
  'batchId'?: (string);
  'mode'?: (string);
  'status'?: (string);
  'transfers'?: (_bank_v1_TransferBatchLegReply)[];
  'position'?: (string);
  'replayed'?: (boolean);
  'dryRun'?: (boolean);
}

export interface TransferBatchReply__Output {
  'batchId': (string);
  'mode': (string);
  'status': (string);
  'transfers': (_bank_v1_TransferBatchLegReply__Output)[];
  'position': (string);
  'replayed': (boolean);
  'dryRun': (boolean);
}
