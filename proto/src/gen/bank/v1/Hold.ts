// Original file: proto/bank/v1/queries.proto


export interface Hold {
  'holdId'?: (string);
  'accountId'?: (string);
  'currency'?: (string);
  'amount'?: (string);
  'captured'?: (string);
  'released'?: (string);
  'status'?: (string);
  'expiresAt'?: (string);
  'placedAt'?: (string);
  'updatedAt'?: (string);
}

export interface Hold__Output {
  'holdId': (string);
  'accountId': (string);
  'currency': (string);
  'amount': (string);
  'captured': (string);
  'released': (string);
  'status': (string);
  'expiresAt': (string);
  'placedAt': (string);
  'updatedAt': (string);
}
