// Original file: proto/bank/v1/commands.proto

import type { CommandContext as _bank_v1_CommandContext, CommandContext__Output as _bank_v1_CommandContext__Output } from '../../bank/v1/CommandContext.js';

export interface OpenAccountRequest {
  'context'?: (_bank_v1_CommandContext | null);
  'accountId'?: (string);
  'ownerId'?: (string);
  'currency'?: (string);
  'type'?: (string);
  'overdraftLimit'?: (string);
}

export interface OpenAccountRequest__Output {
  'context': (_bank_v1_CommandContext__Output | null);
  'accountId': (string);
  'ownerId': (string);
  'currency': (string);
  'type': (string);
  'overdraftLimit': (string);
}
