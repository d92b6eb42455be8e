// Original file: proto/bank/v1/queries.proto

import type { TransferStatusChange as _bank_v1_TransferStatusChange, TransferStatusChange__Output as _bank_v1_TransferStatusChange__Output } from '../../bank/v1/TransferStatusChange.js';

export interface Transfer {
  'transferId'?: (string);
  'fromAccountId'?: (string);
  'toAccountId'?: (string);
  'amount'?: (string);
  'currency'?: (string);
  'reference'?: (string);
  'status'?: (string);
  'failureReason'?: (string);
  'history'?: (_bank_v1_TransferStatusChange)[];
  'requestedAt'?: (string);
  'updatedAt'?: (string);
  'batchId'?: (string);
  'reversalOf'?: (string);
  'reversedAmount'?: (string);
}

export interface Transfer__Output {
  'transferId': (string);
  'fromAccountId': (string);
  'toAccountId': (string);
  'amount': (string);
  'currency': (string);
  'reference': (string);
  'status': (string);
  'failureReason': (string);
  'history': (_bank_v1_TransferStatusChange__Output)[];
  'requestedAt': (string);
  'updatedAt': (string);
  'batchId': (string);
  'reversalOf': (string);
  'reversedAmount': (string);
}
