// Original file: proto/bank/v1/commands.proto

import type { AccountSnapshot as _bank_v1_AccountSnapshot, AccountSnapshot__Output as _bank_v1_AccountSnapshot__Output } from '../../bank/v1/AccountSnapshot.js';

export interface AccountReply {
  'account'?: (_bank_v1_AccountSnapshot | null);
  'position'?: (string);
  'replayed'?: (boolean);
  'holdId'?: (string);
  'released'?: (string);
}

export interface AccountReply__Output {
  'account': (_bank_v1_AccountSnapshot__Output | null);
  'position': (string);
  'replayed': (boolean);
  'holdId': (string);
  'released': (string);
}
