// Original file: proto/bank/v1/queries.proto


export interface ProjectionCheckpoint {
  'name'?: (string);
  'position'?: (string);
  'updatedAt'?: (string);
}

export interface ProjectionCheckpoint__Output {
  'name': (string);
  'position': (string);
  'updatedAt': (string);
}
