// Original file: proto/bank/v1/common.proto


export interface Actor {
  'id'?: (string);
  'roles'?: (string)[];
}

export interface Actor__Output {
  'id': (string);
  'roles': (string)[];
}
