// Original file: proto/bank/v1/queries.proto

import type { ReadOptions as _bank_v1_ReadOptions, ReadOptions__Output as _bank_v1_ReadOptions__Output } from '../../bank/v1/ReadOptions.js';

export interface ListAccountsRequest {
  'options'?: (_bank_v1_ReadOptions | null);
  'ownerId'?: (string);
}

export interface ListAccountsRequest__Output {
  'options': (_bank_v1_ReadOptions__Output | null);
  'ownerId': (string);
}
