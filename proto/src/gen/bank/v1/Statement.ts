// Original file: proto/bank/v1/queries.proto

import type { LedgerEntry as _bank_v1_LedgerEntry, LedgerEntry__Output as _bank_v1_LedgerEntry__Output } from '../../bank/v1/LedgerEntry.js';

export interface Statement {
  'accountId'?: (string);
  'currency'?: (string);
  'from'?: (string);
  'to'?: (string);
  'openingBalance'?: (string);
  'closingBalance'?: (string);
  'totalIn'?: (string);
  'totalOut'?: (string);
  'entries'?: (_bank_v1_LedgerEntry)[];
}

export interface Statement__Output {
  'accountId': (string);
  'currency': (string);
  'from': (string);
  'to': (string);
  'openingBalance': (string);
  'closingBalance': (string);
  'totalIn': (string);
  'totalOut': (string);
  'entries': (_bank_v1_LedgerEntry__Output)[];
}
