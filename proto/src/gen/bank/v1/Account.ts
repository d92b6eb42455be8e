// Original file: proto/bank/v1/queries.proto


export interface Account {
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
  'openedAt'?: (string);
  'updatedAt'?: (string);
}

export interface Account__Output {
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
  'openedAt': (string);
  'updatedAt': (string);
}
