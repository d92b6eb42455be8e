// Original file: proto/bank/v1/queries.proto


export interface TransferBatchLeg {
  'index'?: (number);
  'transferId'?: (string);
  'status'?: (string);
}

export interface TransferBatchLeg__Output {
  'index': (number);
  'transferId': (string);
  'status': (string);
}
