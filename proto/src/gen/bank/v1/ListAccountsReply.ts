// Original file: proto/bank/v1/queries.proto

import type { Account as _bank_v1_Account, Account__Output as _bank_v1_Account__Output } from '../../bank/v1/Account.js';

export interface ListAccountsReply {
  'accounts'?: (_bank_v1_Account)[];
}

export interface ListAccountsReply__Output {
  'accounts': (_bank_v1_Account__Output)[];
}
