// Original file: proto/bank/v1/queries.proto


export interface ReadOptions {
  'consistencyToken'?: (string);
  'restrictToOwner'?: (string);
}

export interface ReadOptions__Output {
  'consistencyToken': (string);
  'restrictToOwner': (string);
}
