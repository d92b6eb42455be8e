// Original file: proto/bank/v1/commands.proto

import type { CommandContext as _bank_v1_CommandContext, CommandContext__Output as _bank_v1_CommandContext__Output } from '../../bank/v1/CommandContext.js';

export interface AccountRequest {
  'context'?: (_bank_v1_CommandContext | null);
  'accountId'?: (string);
}

export interface AccountRequest__Output {
  'context': (_bank_v1_CommandContext__Output | null);
  'accountId': (string);
}
