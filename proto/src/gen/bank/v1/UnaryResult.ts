// Original file: proto/bank/v1/commands.proto


export interface UnaryResult {
  'id'?: (number);
  'code'?: (number);
  'details'?: (string);
  'response'?: (Buffer | Uint8Array | string);
  'metadata'?: ({[key: string]: string});
}

export interface UnaryResult__Output {
  'id': (number);
  'code': (number);
  'details': (string);
  'response': (Buffer);
  'metadata': ({[key: string]: string});
}
