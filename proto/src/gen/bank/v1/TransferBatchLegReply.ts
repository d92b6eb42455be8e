// Original file: proto/bank/v1/commands.proto


export interface TransferBatchLegReply {
  'index'?: (number);
  'transferId'?: (string);
  'status'?: (string);
  'code'?: (string);
}

export interface TransferBatchLegReply__Output {
  'index': (number);
  'transferId': (string);
  'status': (string);
  'code': (string);
}
