// Original file: proto/bank/v1/commands.proto


export interface TransferReply {
  'transferId'?: (string);
  'status'?: (string);
  'failureReason'?: (string);
  'position'?: (string);
  'replayed'?: (boolean);
  'amount'?: (string);
  'currency'?: (string);
  'reversalOf'?: (string);
  'dryRun'?: (boolean);
  'fromAccountId'?: (string);
  'toAccountId'?: (string);
}

export interface TransferReply__Output {
  'transferId': (string);
  'status': (string);
  'failureReason': (string);
  'position': (string);
  'replayed': (boolean);
  'amount': (string);
  'currency': (string);
  'reversalOf': (string);
  'dryRun': (boolean);
  'fromAccountId': (string);
  'toAccountId': (string);
}
