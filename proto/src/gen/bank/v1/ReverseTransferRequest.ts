// Original file: proto/bank/v1/commands.proto

import type { CommandContext as _bank_v1_CommandContext, CommandContext__Output as _bank_v1_CommandContext__Output } from '../../bank/v1/CommandContext.js';

export interface ReverseTransferRequest {
  'context'?: (_bank_v1_CommandContext | null);
  'transferId'?: (string);
  'amount'?: (string);
  'reference'?: (string);
}

export interface ReverseTransferRequest__Output {
  'context': (_bank_v1_CommandContext__Output | null);
  'transferId': (string);
  'amount': (string);
  'reference': (string);
}
