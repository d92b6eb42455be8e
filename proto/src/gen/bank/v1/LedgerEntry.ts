// Original file: proto/bank/v1/queries.proto


export interface LedgerEntry {
  'entryId'?: (string);
  'accountId'?: (string);
  'type'?: (string);
  'amount'?: (string);
  'balanceAfter'?: (string);
  'currency'?: (string);
  'counterpartyAccountId'?: (string);
  'transferId'?: (string);
  'holdId'?: (string);
  'occurredAt'?: (string);
  'position'?: (string);
}

export interface LedgerEntry__Output {
  'entryId': (string);
  'accountId': (string);
  'type': (string);
  'amount': (string);
  'balanceAfter': (string);
  'currency': (string);
  'counterpartyAccountId': (string);
  'transferId': (string);
  'holdId': (string);
  'occurredAt': (string);
  'position': (string);
}
