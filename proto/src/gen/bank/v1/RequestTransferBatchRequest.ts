// Original file: proto/bank/v1/commands.proto

import type { CommandContext as _bank_v1_CommandContext, CommandContext__Output as _bank_v1_CommandContext__Output } from '../../bank/v1/CommandContext.js';
import type { TransferLeg as _bank_v1_TransferLeg, TransferLeg__Output as _bank_v1_TransferLeg__Output } from '../../bank/v1/TransferLeg.js';

export interface RequestTransferBatchRequest {
  'context'?: (_bank_v1_CommandContext | null);
  'mode'?: (string);
  'transfers'?: (_bank_v1_TransferLeg)[];
  'dryRun'?: (boolean);
}

export interface RequestTransferBatchRequest__Output {
  'context': (_bank_v1_CommandContext__Output | null);
  'mode': (string);
  'transfers': (_bank_v1_TransferLeg__Output)[];
  'dryRun': (boolean);
}
