// Original file: proto/bank/v1/commands.proto


export interface TransferLeg {
  'fromAccountId'?: (string);
  'toAccountId'?: (string);
  'amount'?: (string);
  'reference'?: (string);
}

export interface TransferLeg__Output {
  'fromAccountId': (string);
  'toAccountId': (string);
  'amount': (string);
  'reference': (string);
}
