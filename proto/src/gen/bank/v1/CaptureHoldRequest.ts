// Original file: proto/bank/v1/commands.proto

import type { CommandContext as _bank_v1_CommandContext, CommandContext__Output as _bank_v1_CommandContext__Output } from '../../bank/v1/CommandContext.js';

export interface CaptureHoldRequest {
  'context'?: (_bank_v1_CommandContext | null);
  'accountId'?: (string);
  'holdId'?: (string);
  'amount'?: (string);
}

export interface CaptureHoldRequest__Output {
  'context': (_bank_v1_CommandContext__Output | null);
  'accountId': (string);
  'holdId': (string);
  'amount': (string);
}
