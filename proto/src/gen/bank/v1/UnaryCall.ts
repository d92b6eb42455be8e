// Original file: proto/bank/v1/commands.proto


export interface UnaryCall {
  'id'?: (number);
  'method'?: (string);
  'request'?: (Buffer | Uint8Array | string);
  'timeoutMs'?: (number);
  'metadata'?: ({[key: string]: string});
  'cancel'?: (boolean);
}

export interface UnaryCall__Output {
  'id': (number);
  'method': (string);
  'request': (Buffer);
  'timeoutMs': (number);
  'metadata': ({[key: string]: string});
  'cancel': (boolean);
}
