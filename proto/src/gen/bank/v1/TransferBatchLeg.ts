// Original file: proto/bank/v1/queries.proto


export interface TransferBatchLeg {
  'index'?: (number);
  'transferId'?: (string);
  'status'?: (string);
  'code'?: (string);
}

export interface TransferBatchLeg__Output {
  'index': (number);
  'transferId': (string);
  'status': (string);
  'code': (string);
}
