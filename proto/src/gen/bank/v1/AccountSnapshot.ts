// Original file: proto/bank/v1/common.proto


export interface AccountSnapshot {
  'accountId'?: (string);
  'ownerId'?: (string);
  'currency'?: (string);
  'type'?: (string);
  'status'?: (string);
  'balance'?: (string);
  'available'?: (string);
  'held'?: (string);
  'overdraftLimit'?: (string);
  'revision'?: (string);
}

export interface AccountSnapshot__Output {
  'accountId': (string);
  'ownerId': (string);
  'currency': (string);
  'type': (string);
  'status': (string);
  'balance': (string);
  'available': (string);
  'held': (string);
  'overdraftLimit': (string);
  'revision': (string);
}
