// Original file: proto/bank/v1/queries.proto


export interface TransferStatusChange {
  'status'?: (string);
  'at'?: (string);
  'reason'?: (string);
}

export interface TransferStatusChange__Output {
  'status': (string);
  'at': (string);
  'reason': (string);
}
