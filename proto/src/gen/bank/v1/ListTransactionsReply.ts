// Original file: proto/bank/v1/queries.proto

import type { LedgerEntry as _bank_v1_LedgerEntry, LedgerEntry__Output as _bank_v1_LedgerEntry__Output } from '../../bank/v1/LedgerEntry.js';

export interface ListTransactionsReply {
  'entries'?: (_bank_v1_LedgerEntry)[];
  'nextCursor'?: (string);
}

export interface ListTransactionsReply__Output {
  'entries': (_bank_v1_LedgerEntry__Output)[];
  'nextCursor': (string);
}
