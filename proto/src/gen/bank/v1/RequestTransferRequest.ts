// Original file: proto/bank/v1/commands.proto

import type { CommandContext as _bank_v1_CommandContext, CommandContext__Output as _bank_v1_CommandContext__Output } from '../../bank/v1/CommandContext.js';

export interface RequestTransferRequest {
  'context'?: (_bank_v1_CommandContext | null);
  'transferId'?: (string);
  'fromAccountId'?: (string);
  'toAccountId'?: (string);
  'amount'?: (string);
  'reference'?: (string);
  'dryRun'?: (boolean);
}

export interface RequestTransferRequest__Output {
  'context': (_bank_v1_CommandContext__Output | null);
  'transferId': (string);
  'fromAccountId': (string);
  'toAccountId': (string);
  'amount': (string);
  'reference': (string);
  'dryRun': (boolean);
}
