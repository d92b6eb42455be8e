// Original file: proto/bank/v1/queries.proto

import type { Hold as _bank_v1_Hold, Hold__Output as _bank_v1_Hold__Output } from '../../bank/v1/Hold.js';

export interface ListHoldsReply {
  'holds'?: (_bank_v1_Hold)[];
  'nextCursor'?: (string);
}

export interface ListHoldsReply__Output {
  'holds': (_bank_v1_Hold__Output)[];
  'nextCursor': (string);
}
